# docs/ARCHITECTURE.md true to the code: every repository path it names in backticks exists, and
# every type or member name it names in backticks is declared in the sources. Its shortened
# paths are relative to a project (Core/RequestRules.cs is src/GiftStudio.Core/RequestRules.cs)
# or to the path named before them on the same line (`Sandbox/Http/Gate.cs`, `RateLimiter.cs`).
BeforeAll {
    $script:Repository = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
    $script:DocLines = Get-Content -LiteralPath (Join-Path $Repository 'docs/ARCHITECTURE.md')
    # Names from outside the repository that the map mentions: .NET, PowerShell and HTTP.
    $script:External = 'HttpClient', 'AssemblyLoadContext', 'TimeProvider', 'FakeTimeProvider', 'ShouldProcess', 'Date', 'IModuleAssemblyInitializer', 'IModuleAssemblyCleanup'

    $sourceFiles = Get-ChildItem (Join-Path $Repository 'src'), (Join-Path $Repository 'tests') -Recurse -File -Include '*.cs', '*.json' |
        Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' }
    $script:CSharp = @{}
    $script:Json = @{}
    foreach ($file in $sourceFiles) {
        $text = [IO.File]::ReadAllText($file.FullName)
        if ($file.Extension -eq '.cs') { $CSharp[$file.FullName] = $text } else { $Json[$file.FullName] = $text }
    }
    # Where each type is declared (several files for a partial class).
    $script:TypeFiles = @{}
    foreach ($path in $CSharp.Keys) {
        foreach ($match in [regex]::Matches($CSharp[$path], '\b(?:class|struct|record|enum|interface)\s+(\w+)')) {
            $type = $match.Groups[1].Value
            if (-not $TypeFiles.ContainsKey($type)) { $TypeFiles[$type] = [Collections.Generic.List[string]]::new() }
            $TypeFiles[$type].Add($path)
        }
    }

    # A member declaration: modifiers, a type, the name, then a parameter list, a body, an
    # initializer or the end of the line (methods, properties, fields, constants, nested types).
    function script:Test-MemberDeclared([string] $Text, [string] $Name) {
        $pattern = '(?m)^\s*(?:\[[^\]\r\n]*\]\s*)*(?:(?:public|internal|private|protected|static|readonly|const|sealed|override|async|partial|virtual|abstract|new|required)\s+)+[^=;(\r\n]*?\b' +
            $Name + '\b\s*(?:[({=;<:]|=>|$)'
        [regex]::IsMatch($Text, $pattern)
    }

    # Every backticked span with its line, in document order.
    $script:Spans = foreach ($line in $DocLines) {
        foreach ($match in [regex]::Matches($line, '`([^`]+)`')) { [pscustomobject]@{ Text = $match.Groups[1].Value; Line = $line } }
    }

    function script:Test-PathSpan([string] $Text) {
        # A repository path: a folder or file path with '/', or a file name; not a route (/v2), an
        # option (--now) or a URL.
        ($Text -match '^[\w.-]+(/[\w.-]*)+$' -or $Text -match '^[\w-]+(\.[\w-]+)*\.(cs|json|psm1|ps1|psd1|ps1xml|csproj|md)$') -and
        $Text -notmatch '^(out|bin|obj)/'   # build output, not in the repository
    }

    # The full paths a span may name: from the repository root, under src/GiftStudio.<first part>,
    # under the folder of the path named before it on the line, or under that path's project.
    function script:Resolve-DocPath([string] $Text, [string] $Context) {
        $relative = $Text.TrimEnd('/')
        $candidates = @(Join-Path $Repository $relative)
        $first, $rest = $relative -split '/', 2
        if ($rest) { $candidates += Join-Path $Repository "src/GiftStudio.$first/$rest" }
        if ($Context) {
            $candidates += Join-Path $Context $relative
            if ($Context -match '^(?<project>.*[\\/]src[\\/]GiftStudio\.[^\\/]+)') { $candidates += Join-Path $Matches.project $relative }
        }
        $candidates | Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
    }
}

Describe 'docs/ARCHITECTURE.md' {
    It 'names only repository paths that exist' {
        $missing = foreach ($group in $Spans | Group-Object Line) {
            $context = $null
            foreach ($span in $group.Group | Where-Object { Test-PathSpan $_.Text }) {
                $found = Resolve-DocPath $span.Text $context
                if (-not $found -and -not $span.Text.Contains('/') -and -not $context) {
                    # A file name alone, with no path before it on its line: anywhere in the sources.
                    $found = @($CSharp.Keys + $Json.Keys) | Where-Object { (Split-Path $_ -Leaf) -eq $span.Text } | Select-Object -First 1
                }
                if ($found) { $context = if (Test-Path -LiteralPath $found -PathType Container) { $found } else { Split-Path $found } }
                else { $span.Text }
            }
        }
        @($missing | Select-Object -Unique) | Should -BeNullOrEmpty -Because "docs/ARCHITECTURE.md names them and no such path exists:`n$(@($missing | Select-Object -Unique) -join "`n")`n"
    }

    It 'names only types and members that the sources declare' {
        $names = $Spans.Text | Where-Object { $_ -cmatch '^[A-Z]\w*(\.[A-Z]\w*\*?)?$' -and $_ -notin $External } | Select-Object -Unique
        $missing = foreach ($name in $names) {
            $type, $member = $name -split '\.', 2
            if ($member) {
                # Type.Member: the member is declared in a file that declares the type.
                $memberPattern = [regex]::Escape($member.TrimEnd('*')) + $(if ($member.EndsWith('*')) { '\w*' })
                $declared = $TypeFiles.ContainsKey($type) -and @($TypeFiles[$type] | Where-Object { Test-MemberDeclared $CSharp[$_] $memberPattern }).Count -gt 0
            }
            else {
                # A name alone: a type, a member of any type, or a configuration section.
                $declared = $TypeFiles.ContainsKey($name) -or
                    @($CSharp.Values | Where-Object { Test-MemberDeclared $_ ([regex]::Escape($name)) }).Count -gt 0 -or
                    @($Json.Values | Where-Object { $_.Contains("`"$name`"") }).Count -gt 0
            }
            if (-not $declared) { $name }
        }
        @($missing) | Should -BeNullOrEmpty -Because "docs/ARCHITECTURE.md names them and the sources declare no such type or member:`n$(@($missing) -join "`n")`n"
    }
}
