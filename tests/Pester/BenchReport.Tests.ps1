# bench/ReportSections.ps1: a bench run replaces its own sections of bench/REPORT.md and keeps
# the others (the module bench once wiped the server bench's section 8 and the hand-written 7).
BeforeAll {
    . (Join-Path $PSScriptRoot '../../bench/ReportSections.ps1')
    $script:Work = [IO.Directory]::CreateTempSubdirectory('gs-report-').FullName
    $script:Report = Join-Path $Work 'REPORT.md'
    $script:Full = @'
# GiftStudio benchmark

Run 1 (header).

## 1-3. Pipelines

old pipelines

### A subsection stays inside its section

old subsection

## 4. Import cost

old import

## 7. Anomaly flags

hand-written anomalies

## 8. The sandbox against the floor

old server
'@
}

AfterAll {
    Remove-Item -Recurse -Force $Work -ErrorAction Ignore
}

Describe 'Writing bench/REPORT.md' {
    BeforeEach {
        Set-Content -LiteralPath $Report -Value $Full
    }

    It 'the module bench replaces the header and its sections, and keeps sections 7 and 8' {
        Set-ReportSection -Path $Report -Text "# GiftStudio benchmark`n`nRun 2 (header).`n`n## 1-3. Pipelines`n`nnew pipelines`n`n## 4. Import cost`n`nnew import`n`n## 6. Memory`n`nnew memory"

        $text = Get-Content -Raw -LiteralPath $Report
        $text | Should -Match 'Run 2 \(header\)'
        $text | Should -Not -Match 'Run 1|old pipelines|old subsection|old import'
        $text | Should -Match 'new pipelines'
        $text | Should -Match 'hand-written anomalies'
        $text | Should -Match 'old server'
        # In number order: the new section 6 goes before 7.
        $text.IndexOf('## 6. Memory') | Should -BeLessThan $text.IndexOf('## 7. Anomaly')
        $text.IndexOf('## 4. Import') | Should -BeLessThan $text.IndexOf('## 6. Memory')
    }

    It 'the server bench replaces section 8 only' {
        Set-ReportSection -Path $Report -Text "## 8. The sandbox against the floor`n`nnew server"

        $text = Get-Content -Raw -LiteralPath $Report
        $text | Should -Match 'new server'
        $text | Should -Not -Match 'old server'
        foreach ($kept in 'Run 1 \(header\)', 'old pipelines', 'old subsection', 'old import', 'hand-written anomalies') {
            $text | Should -Match $kept
        }
        $text.TrimEnd().EndsWith('new server') | Should -BeTrue
    }

    It 'starts a report when there is none' {
        Remove-Item -LiteralPath $Report
        Set-ReportSection -Path $Report -Text "## 8. The sandbox against the floor`n`nnew server"

        (Get-Content -Raw -LiteralPath $Report) | Should -Match '(?s)^# GiftStudio benchmark\s+## 8\. The sandbox against the floor\s+new server\s*$'
    }

    It 'refuses a section heading without its number, naming it' {
        { Set-ReportSection -Path $Report -Text "## Pipelines`n`nno number" } | Should -Throw "*must start '## N.'*## Pipelines*"
        (Get-Content -Raw -LiteralPath $Report) | Should -Match 'old pipelines'
    }
}
