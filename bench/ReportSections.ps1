# The one rule for writing bench/REPORT.md, shared by both benches: a run replaces the sections it
# wrote (and the header, when it wrote one) and keeps every other section as it was, in number
# order. Invoke-Benchmark.ps1 writes the header and sections 1-6, Invoke-ServerBench.ps1 section 8;
# section 7 is written by hand from Measure-AnomalyFalseAlarms.ps1.

# The parts of a report by number: 0 is the header (the text before the first "## "), N the
# section that starts "## N." (or "## N-M.").
function Split-ReportSection([string] $Text) {
    $parts = @{}
    foreach ($part in [regex]::Split($Text.TrimEnd(), '(?m)^(?=## )')) {
        if ($part.Trim().Length -eq 0) { continue }
        $number = if ($part -match '^## (\d+)(?:-\d+)?\.') { [int] $Matches[1] } elseif ($part.StartsWith('## ')) { throw "A report section must start '## N.': $($part.Split("`n")[0])" } else { 0 }
        $parts[$number] = $part.TrimEnd()
    }
    $parts
}

function Set-ReportSection {
    param(
        [Parameter(Mandatory)] [string] $Path,
        # This run's sections, each starting "## N."; a header before them replaces the report's.
        [Parameter(Mandatory)] [string] $Text
    )
    $existing = if (Test-Path -LiteralPath $Path) { Get-Content -Raw -LiteralPath $Path } else { "# GiftStudio benchmark`n" }
    $merged = Split-ReportSection $existing
    $new = Split-ReportSection $Text
    foreach ($number in $new.Keys) { $merged[$number] = $new[$number] }
    $ordered = $merged.Keys | Sort-Object | ForEach-Object { $merged[$_] }
    Set-Content -LiteralPath $Path -Value ($ordered -join "`n`n")
}
