#Requires -Version 7.2
<#
.SYNOPSIS
    Converts the help markdown in docs/help into the module's MAML help and about topic.
.DESCRIPTION
    Reads one markdown file per exported cmdlet (<Cmdlet-Name>.md) and writes ONE MAML file,
    <OutputPath>/en-US/GiftStudio.PowerShell.dll-Help.xml: the file PowerShell looks for
    next to a binary module's assembly (named after the assembly file). about_GiftStudio.md
    becomes <OutputPath>/en-US/about_GiftStudio.help.txt.

    Names, syntax, parameter types, required, position, aliases and pipeline input come
    from the real cmdlet metadata (the module at -ModulePath is imported for Get-Command, so
    run the script in a pwsh of its own, as build.ps1 and tests/Pester/Help.Tests.ps1 do);
    synopsis, descriptions, inputs, outputs, examples and notes come from the markdown.

    The script throws, listing every problem, when an exported cmdlet has no markdown file,
    a markdown file names a cmdlet the module does not export, a real parameter has no
    description, the markdown describes a parameter the cmdlet does not have, a cmdlet has
    fewer than two examples (each with a code block), an output type of the cmdlet is not
    documented, or the synopsis or description is empty.

    The markdown structure (see docs/help/*.md):
        # Verb-Noun
        ## SYNOPSIS             one paragraph
        ## DESCRIPTION          paragraphs, lists (- item), tables, code blocks
        ## PARAMETERS           ### -Name, its paragraphs, optionally a last line 'Default value: X'
        ## INPUTS               ### Type name (or None), its paragraphs
        ## OUTPUTS              ### Type name (or None), its paragraphs
        ## EXAMPLES             ### Example N: title, a ```powershell block, remark paragraphs
        ## NOTES                paragraphs
        ## RELATED LINKS        - Command-Name, about_Topic or [text](https://...)
.EXAMPLE
    pwsh -NoProfile -File build/New-MamlHelp.ps1 -SourcePath docs/help -OutputPath out/GiftStudio -ModulePath out/GiftStudio
#>
[CmdletBinding()]
param(
    # The folder with <Cmdlet-Name>.md and about_GiftStudio.md.
    [string] $SourcePath = (Join-Path $PSScriptRoot '../docs/help'),

    # The staged module folder; the help goes into its en-US subfolder.
    [string] $OutputPath = (Join-Path $PSScriptRoot '../out/GiftStudio'),

    # The staged module (folder or .psd1) whose cmdlet metadata is read; default -OutputPath.
    [string] $ModulePath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$ModuleName = 'GiftStudio'
$AboutTopic = 'about_GiftStudio'
$Culture = 'en-US'
$WrapWidth = 80
$Sections = 'SYNOPSIS', 'DESCRIPTION', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'EXAMPLES', 'NOTES', 'RELATED LINKS'
$CommonParameters = [System.Management.Automation.Cmdlet]::CommonParameters

#region Markdown reading

function Read-Markdown {
    # Splits a markdown file into its title (# ...), its ## sections and their ### subsections.
    # Lines inside fenced code blocks are never headings.
    param([string] $Path)
    $document = [ordered]@{ Title = $null; Preamble = [System.Collections.Generic.List[string]]::new(); Sections = [ordered]@{} }
    $section = $null
    $subsection = $null
    $inFence = $false
    foreach ($line in [System.IO.File]::ReadAllLines($Path)) {
        if ($line -match '^\s*(```|~~~)') { $inFence = -not $inFence }
        if (-not $inFence -and $line -match '^(#{1,3})\s+(.*?)\s*#*\s*$') {
            $level = $Matches[1].Length
            $text = $Matches[2]
            if ($level -eq 1) {
                if ($null -ne $document.Title) { throw "${Path}: more than one '# ' title." }
                $document.Title = $text
                continue
            }
            if ($level -eq 2) {
                $name = $text.ToUpperInvariant()
                if ($document.Sections.Contains($name)) { throw "${Path}: section '## $text' appears twice." }
                $section = [ordered]@{ Name = $name; Lines = [System.Collections.Generic.List[string]]::new(); Subsections = [System.Collections.Generic.List[object]]::new() }
                $document.Sections[$name] = $section
                $subsection = $null
                continue
            }
            if ($null -eq $section) { throw "${Path}: '### $text' before any '## ' section." }
            $subsection = [ordered]@{ Title = $text; Lines = [System.Collections.Generic.List[string]]::new() }
            $section.Subsections.Add($subsection)
            continue
        }
        if ($null -ne $subsection) { $subsection.Lines.Add($line) }
        elseif ($null -ne $section) { $section.Lines.Add($line) }
        else { $document.Preamble.Add($line) }
    }
    if ($inFence) { throw "${Path}: a code block is not closed." }
    $document
}

function ConvertTo-Block {
    # Turns markdown lines into blocks: Paragraph (lines joined), List (one entry per item),
    # Table (rows of cells) and Code (lines as written).
    param([string[]] $Lines)
    $blocks = [System.Collections.Generic.List[object]]::new()
    $current = $null
    $fence = $null
    foreach ($line in $Lines) {
        if ($null -ne $fence) {
            if ($line -match '^\s*(```|~~~)\s*$') { $blocks.Add($fence); $fence = $null }
            else { $fence.Lines.Add($line) }
            continue
        }
        if ($line -match '^\s*(```|~~~)\s*([\w-]*)') {
            if ($null -ne $current) { $blocks.Add($current); $current = $null }
            $fence = [ordered]@{ Kind = 'Code'; Language = $Matches[2]; Lines = [System.Collections.Generic.List[string]]::new() }
            continue
        }
        if ($line -match '^\s*$') {
            if ($null -ne $current) { $blocks.Add($current); $current = $null }
            continue
        }
        if ($line -match '^\s*\|') {
            if ($null -eq $current -or $current.Kind -ne 'Table') {
                if ($null -ne $current) { $blocks.Add($current) }
                $current = [ordered]@{ Kind = 'Table'; Rows = [System.Collections.Generic.List[object]]::new() }
            }
            $cells = Split-TableRow $line
            # The |---|---| line under the header carries no text.
            $isRule = @($cells | Where-Object { $_ -notmatch '^:?-{3,}:?$' }).Count -eq 0
            if (-not $isRule) { $current.Rows.Add($cells) }
            continue
        }
        if ($line -match '^\s{0,3}([-*+]|\d+[.)])\s+(.*)$') {
            $marker = $Matches[1]
            $item = $Matches[2]
            if ($null -eq $current -or $current.Kind -ne 'List') {
                if ($null -ne $current) { $blocks.Add($current) }
                $current = [ordered]@{ Kind = 'List'; Items = [System.Collections.Generic.List[string]]::new(); Markers = [System.Collections.Generic.List[string]]::new() }
            }
            $current.Items.Add($item.Trim())
            $current.Markers.Add($(if ($marker -match '^\d') { $marker } else { '-' }))
            continue
        }
        if ($null -ne $current -and $current.Kind -eq 'List' -and $line -match '^\s+\S') {
            # An indented line continues the list item above it.
            $current.Items[$current.Items.Count - 1] += ' ' + $line.Trim()
            continue
        }
        if ($null -eq $current -or $current.Kind -ne 'Paragraph') {
            if ($null -ne $current) { $blocks.Add($current) }
            $current = [ordered]@{ Kind = 'Paragraph'; Text = '' }
        }
        $current.Text = ($current.Text + ' ' + $line.Trim()).Trim()
    }
    if ($null -ne $fence) { throw 'A code block is not closed.' }
    if ($null -ne $current) { $blocks.Add($current) }
    , $blocks.ToArray()
}

function Split-TableRow {
    param([string] $Line)
    $text = $Line.Trim()
    if ($text.StartsWith('|')) { $text = $text.Substring(1) }
    if ($text.EndsWith('|') -and -not $text.EndsWith('\|')) { $text = $text.Substring(0, $text.Length - 1) }
    # A \| inside a cell is a literal bar, not a column break.
    $cells = [regex]::Split($text, '(?<!\\)\|') | ForEach-Object { (Format-Inline $_.Trim()) }
    , @($cells)
}

function Format-Inline {
    # Markdown inline markup to plain text: **strong** and *emphasis* lose their stars,
    # [text](uri) becomes 'text (uri)', \| becomes |. Code spans keep their backticks.
    param([string] $Text)
    $Text = $Text -replace '\\\|', '|'
    $Text = [regex]::Replace($Text, '\[([^\]]+)\]\(([^)]+)\)', '$1 ($2)')
    $Text = [regex]::Replace($Text, '\*\*(.+?)\*\*', '$1')
    $Text = [regex]::Replace($Text, '(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])', '$1')
    $Text
}

#endregion

#region Plain-text rendering (about topic, tables in MAML)

function Split-Line {
    # Word-wraps text to a width; a word longer than the width stands on its own line.
    param([string] $Text, [int] $Width)
    $lines = [System.Collections.Generic.List[string]]::new()
    $line = ''
    foreach ($word in ($Text -split '\s+' | Where-Object { $_ -ne '' })) {
        if ($line.Length -eq 0) { $line = $word }
        elseif ($line.Length + 1 + $word.Length -le $Width) { $line += ' ' + $word }
        else { $lines.Add($line); $line = $word }
    }
    if ($line.Length -gt 0 -or $lines.Count -eq 0) { $lines.Add($line) }
    , $lines.ToArray()
}

function Format-MarkdownTable {
    # A markdown table as aligned text columns, each cell wrapped to fit the width.
    param($Rows, [int] $Width)
    $columns = ($Rows | ForEach-Object { $_.Count } | Measure-Object -Maximum).Maximum
    $gap = 2
    $natural = [int[]]::new($columns)
    $minimum = [int[]]::new($columns)
    foreach ($row in $Rows) {
        for ($i = 0; $i -lt $row.Count; $i++) {
            $natural[$i] = [Math]::Max($natural[$i], $row[$i].Length)
            $longestWord = ($row[$i] -split '\s+' | ForEach-Object { $_.Length } | Measure-Object -Maximum).Maximum
            $minimum[$i] = [Math]::Max($minimum[$i], [int] $longestWord)
        }
    }
    $widths = [int[]] $natural.Clone()
    $available = $Width - $gap * ($columns - 1)
    while (($widths | Measure-Object -Sum).Sum -gt $available) {
        $widest = -1
        for ($i = 0; $i -lt $columns; $i++) {
            if ($widths[$i] -gt [Math]::Max($minimum[$i], 8) -and ($widest -lt 0 -or $widths[$i] -gt $widths[$widest])) { $widest = $i }
        }
        if ($widest -lt 0) { break }
        $widths[$widest]--
    }
    # Too wide for columns (a column would be squeezed below 16 characters or past its
    # longest word): each row becomes its first cell, with the others indented below it.
    $squeezed = ($widths | Measure-Object -Sum).Sum -gt $available
    for ($i = 0; $i -lt $columns; $i++) { if ($widths[$i] -lt [Math]::Min($natural[$i], 16)) { $squeezed = $true } }
    if ($squeezed) {
        $output = [System.Collections.Generic.List[string]]::new()
        $header = $Rows[0]
        foreach ($row in ($Rows | Select-Object -Skip 1)) {
            if ($output.Count -gt 0) { $output.Add('') }
            $output.AddRange([string[]] (Split-Line $row[0] $Width))
            for ($i = 1; $i -lt $row.Count; $i++) {
                if ($row[$i] -eq '') { continue }
                $label = if ($i -lt $header.Count -and $header[$i]) { "$($header[$i]): " } else { '' }
                $wrapped = Split-Line ($label + $row[$i]) ($Width - 8)
                $output.Add('    ' + $wrapped[0])
                foreach ($rest in ($wrapped | Select-Object -Skip 1)) { $output.Add('        ' + $rest) }
            }
        }
        return , $output.ToArray()
    }
    # Rows of wrapped cells; when any row takes several lines, a blank line separates all rows.
    $rendered = [System.Collections.Generic.List[string[]]]::new()
    foreach ($row in $Rows) {
        $wrapped = [System.Collections.Generic.List[object]]::new()
        for ($i = 0; $i -lt $columns; $i++) {
            $wrapped.Add([string[]] (Split-Line $(if ($i -lt $row.Count) { $row[$i] } else { '' }) $widths[$i]))
        }
        $height = ($wrapped | ForEach-Object { $_.Count } | Measure-Object -Maximum).Maximum
        $lines = for ($l = 0; $l -lt $height; $l++) {
            $parts = for ($i = 0; $i -lt $columns; $i++) {
                $cell = if ($l -lt $wrapped[$i].Count) { $wrapped[$i][$l] } else { '' }
                $cell.PadRight($widths[$i])
            }
            ($parts -join (' ' * $gap)).TrimEnd()
        }
        $rendered.Add([string[]] @($lines))
    }
    $spaced = @($rendered | Select-Object -Skip 1 | Where-Object { $_.Count -gt 1 }).Count -gt 0
    $output = [System.Collections.Generic.List[string]]::new()
    for ($r = 0; $r -lt $rendered.Count; $r++) {
        if ($r -gt 1 -and $spaced) { $output.Add('') }
        $output.AddRange($rendered[$r])
        if ($r -eq 0) { $output.Add((($widths | ForEach-Object { '-' * $_ }) -join (' ' * $gap))) }
    }
    , $output.ToArray()
}

function Format-BlockText {
    # A block as text lines at an indent, wrapped to the width (code is never wrapped).
    param($Block, [int] $Indent, [int] $Width = $WrapWidth)
    $pad = ' ' * $Indent
    switch ($Block.Kind) {
        'Paragraph' {
            return , @((Split-Line (Format-Inline $Block.Text) ($Width - $Indent)) | ForEach-Object { $pad + $_ })
        }
        'List' {
            $lines = for ($i = 0; $i -lt $Block.Items.Count; $i++) {
                $marker = $Block.Markers[$i] + ' '
                $wrapped = Split-Line (Format-Inline $Block.Items[$i]) ($Width - $Indent - $marker.Length)
                $pad + $marker + $wrapped[0]
                foreach ($rest in ($wrapped | Select-Object -Skip 1)) { $pad + (' ' * $marker.Length) + $rest }
            }
            return , @($lines)
        }
        'Table' {
            return , @((Format-MarkdownTable $Block.Rows ($Width - $Indent)) | ForEach-Object { ($pad + $_).TrimEnd() })
        }
        'Code' {
            return , @($Block.Lines | ForEach-Object { if ($_ -eq '') { '' } else { $pad + '    ' + $_ } })
        }
    }
    throw "Unknown block kind '$($Block.Kind)'."
}

function ConvertTo-AboutText {
    # The about topic in the classic layout: TOPIC, then each ## section in capitals at the
    # margin, ### subsections underlined, text indented four spaces and wrapped.
    param([string] $Path)
    $document = Read-Markdown $Path
    $name = [System.IO.Path]::GetFileNameWithoutExtension($Path)
    if ($document.Title -ne $name) { throw "${Path}: the title must be '# $name', not '# $($document.Title)'." }
    foreach ($required in 'SHORT DESCRIPTION', 'LONG DESCRIPTION') {
        if (-not $document.Sections.Contains($required) -or -not (ConvertTo-Block $document.Sections[$required].Lines)) {
            throw "${Path}: the '## $required' section is missing or empty."
        }
    }
    $out = [System.Collections.Generic.List[string]]::new()
    $out.Add('TOPIC')
    $out.Add("    $name")
    foreach ($section in $document.Sections.Values) {
        $out.Add('')
        $out.Add($section.Name)
        $first = $true
        foreach ($block in (ConvertTo-Block $section.Lines)) {
            if (-not $first) { $out.Add('') }
            $out.AddRange([string[]] (Format-BlockText $block 4))
            $first = $false
        }
        foreach ($subsection in $section.Subsections) {
            $out.Add('')
            $title = Format-Inline $subsection.Title
            $out.Add("    $title")
            $out.Add('    ' + ('-' * $title.Length))
            $first = $true
            foreach ($block in (ConvertTo-Block $subsection.Lines)) {
                if (-not $first) { $out.Add('') }
                $out.AddRange([string[]] (Format-BlockText $block 4))
                $first = $false
            }
        }
    }
    ($out -join [Environment]::NewLine) + [Environment]::NewLine
}

#endregion

#region Cmdlet help model

function Get-Paragraph {
    # The MAML paragraphs of markdown lines: one per paragraph, one per list (its items on
    # their own lines), tables and code as preformatted lines.
    param([string[]] $Lines)
    foreach ($block in (ConvertTo-Block $Lines)) {
        switch ($block.Kind) {
            'Paragraph' { Format-Inline $block.Text }
            'List' {
                $items = for ($i = 0; $i -lt $block.Items.Count; $i++) { "$($block.Markers[$i]) $(Format-Inline $block.Items[$i])" }
                $items -join "`n"
            }
            'Table' { (Format-MarkdownTable $block.Rows ($WrapWidth - 8)) -join "`n" }
            'Code' { ($block.Lines | ForEach-Object { "    $_" }) -join "`n" }
        }
    }
}

function Read-CommandHelp {
    # The help of one cmdlet from its markdown file, checked for shape; problems are added
    # to $Problems rather than thrown, so one run reports them all.
    param([string] $Path, [System.Collections.Generic.List[string]] $Problems)
    $file = [System.IO.Path]::GetFileName($Path)
    $document = Read-Markdown $Path
    $name = [System.IO.Path]::GetFileNameWithoutExtension($Path)
    if ($document.Title -ne $name) { $Problems.Add("${file}: the title must be '# $name', not '# $($document.Title)'.") }
    if (@($document.Preamble | Where-Object { $_ -match '\S' }).Count -gt 0) {
        $Problems.Add("${file}: text outside any '## ' section would be lost; move it into a section.")
    }
    foreach ($section in $document.Sections.Values) {
        if ($section.Name -notin $Sections) { $Problems.Add("${file}: unknown section '## $($section.Name)' (expected: $($Sections -join ', ')).") }
        # Text where the structure has no place for it would be lost silently.
        if ($section.Name -in 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'EXAMPLES') {
            if (@($section.Lines | Where-Object { $_ -match '\S' }).Count -gt 0) {
                $Problems.Add("${file}: text directly under '## $($section.Name)' would be lost; put it under a '### ' heading.")
            }
        }
        elseif ($section.Subsections.Count -gt 0) {
            $Problems.Add("${file}: '## $($section.Name)' takes no '### ' headings ('### $($section.Subsections[0].Title)').")
        }
    }
    function Section([string] $SectionName) {
        if ($document.Sections.Contains($SectionName)) { $document.Sections[$SectionName] } else { $null }
    }

    $synopsis = @(if (Section 'SYNOPSIS') { Get-Paragraph (Section 'SYNOPSIS').Lines })
    if ($synopsis.Count -eq 0) { $Problems.Add("${file}: the SYNOPSIS is missing or empty.") }
    $description = @(if (Section 'DESCRIPTION') { Get-Paragraph (Section 'DESCRIPTION').Lines })
    if ($description.Count -eq 0) { $Problems.Add("${file}: the DESCRIPTION is missing or empty.") }

    $parameters = [ordered]@{}
    if (Section 'PARAMETERS') {
        foreach ($sub in (Section 'PARAMETERS').Subsections) {
            if ($sub.Title -notmatch '^-?([A-Za-z_][\w]*)$') { $Problems.Add("${file}: '### $($sub.Title)' is not a parameter heading such as '### -Name'."); continue }
            $parameterName = $Matches[1]
            if ($parameters.Contains($parameterName)) { $Problems.Add("${file}: parameter -$parameterName is described twice."); continue }
            $lines = [System.Collections.Generic.List[string]]::new()
            $default = $null
            foreach ($line in $sub.Lines) {
                if ($line -match '^\s*Default value:\s*(.*?)\s*$') { $default = $Matches[1] } else { $lines.Add($line) }
            }
            $parameters[$parameterName] = [pscustomobject]@{
                Name         = $parameterName
                Paragraphs   = @(Get-Paragraph $lines | Where-Object { $_ -match '\S' })
                DefaultValue = $default
            }
        }
    }

    $types = {
        param([string] $SectionName)
        @(if (Section $SectionName) {
            foreach ($sub in (Section $SectionName).Subsections) {
                [pscustomobject]@{ Name = (Format-Inline $sub.Title); Paragraphs = @(Get-Paragraph $sub.Lines) }
            }
        })
    }
    $inputs = @(& $types 'INPUTS')
    $outputs = @(& $types 'OUTPUTS')
    if ($inputs.Count -eq 0) { $Problems.Add("${file}: INPUTS lists no type ('### None' when nothing is taken from the pipeline).") }
    if ($outputs.Count -eq 0) { $Problems.Add("${file}: OUTPUTS lists no type ('### None' when nothing is written).") }

    $examples = @(if (Section 'EXAMPLES') {
        foreach ($sub in (Section 'EXAMPLES').Subsections) {
            if ($sub.Title -notmatch '^Example \d+:\s*\S') { $Problems.Add("${file}: '### $($sub.Title)' should read '### Example N: title'.") }
            $blocks = ConvertTo-Block $sub.Lines
            $code = @($blocks | Where-Object Kind -eq 'Code')
            if ($code.Count -eq 0) { $Problems.Add("${file}: '### $($sub.Title)' has no code block.") }
            $remarkLines = [System.Collections.Generic.List[string]]::new()
            $inFence = $false
            foreach ($line in $sub.Lines) {
                if ($line -match '^\s*(```|~~~)') { $inFence = -not $inFence; $remarkLines.Add(''); continue }
                if (-not $inFence) { $remarkLines.Add($line) }
            }
            $remarks = @(Get-Paragraph $remarkLines)
            if ($remarks.Count -eq 0) { $Problems.Add("${file}: '### $($sub.Title)' has no remark paragraph.") }
            [pscustomobject]@{
                Title   = Format-Inline $sub.Title
                Code    = ($code | ForEach-Object { $_.Lines -join "`n" }) -join "`n`n"
                Remarks = $remarks
            }
        }
    })
    if ($examples.Count -lt 2) { $Problems.Add("${file}: $($examples.Count) example(s); at least two are required.") }

    $notes = @(if (Section 'NOTES') { Get-Paragraph (Section 'NOTES').Lines })
    $links = @(if (Section 'RELATED LINKS') {
        foreach ($block in (ConvertTo-Block (Section 'RELATED LINKS').Lines)) {
            $items = switch ($block.Kind) { 'List' { $block.Items } 'Paragraph' { @($block.Text) } default { @() } }
            foreach ($item in $items) {
                if ($item -match '^\[([^\]]+)\]\(([^)]+)\)$') { [pscustomobject]@{ Text = $Matches[1]; Uri = $Matches[2] } }
                else { [pscustomobject]@{ Text = ($item -replace '`', ''); Uri = '' } }
            }
        }
    })

    [pscustomobject]@{
        Name        = $name
        File        = $file
        Synopsis    = $synopsis -join ' '
        Description = $description
        Parameters  = $parameters
        Inputs      = $inputs
        Outputs     = $outputs
        Examples    = $examples
        Notes       = $notes
        Links       = $links
    }
}

function Test-Hidden {
    param([System.Management.Automation.ParameterMetadata] $Parameter)
    @($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.DontShow }).Count -gt 0
}

function Get-DocumentedParameter {
    # The parameters help describes: all but the common ones and hidden (DontShow) ones.
    # -WhatIf, -Confirm and the paging parameters are real parameters and are described.
    param([System.Management.Automation.CommandInfo] $Command)
    foreach ($parameter in $Command.Parameters.Values) {
        if ($parameter.Name -in $CommonParameters) { continue }
        if (Test-Hidden $parameter) { continue }
        $parameter
    }
}

function Get-TypeName {
    # How syntax shows a type: short name, Nullable unwrapped, arrays as Name[].
    param([type] $Type, [switch] $FullName)
    $underlying = [Nullable]::GetUnderlyingType($Type)
    if ($underlying) { $Type = $underlying }
    if ($Type.IsArray) { return (Get-TypeName $Type.GetElementType() -FullName:$FullName) + '[]' }
    if ($FullName) { $Type.FullName } else { $Type.Name }
}

function Get-PipelineInput {
    param([bool] $ByValue, [bool] $ByPropertyName)
    $kinds = @(if ($ByValue) { 'ByValue' }; if ($ByPropertyName) { 'ByPropertyName' })
    if ($kinds.Count -eq 0) { 'False' } else { "True ($($kinds -join ', '))" }
}

#endregion

#region MAML writing

$MamlNs = 'http://schemas.microsoft.com/maml/2004/10'
$CommandNs = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$DevNs = 'http://schemas.microsoft.com/maml/dev/2004/10'
$MSHelpNs = 'http://msdn.microsoft.com/mshelp'

function Write-Paragraph {
    param([System.Xml.XmlWriter] $Writer, [string[]] $Paragraphs)
    foreach ($para in $Paragraphs) { $Writer.WriteElementString('maml', 'para', $MamlNs, $para) }
    if (-not $Paragraphs) { $Writer.WriteElementString('maml', 'para', $MamlNs, '') }
}

function Write-Description {
    param([System.Xml.XmlWriter] $Writer, [string[]] $Paragraphs)
    $Writer.WriteStartElement('maml', 'description', $MamlNs)
    Write-Paragraph $Writer $Paragraphs
    $Writer.WriteEndElement()
}

function Write-Parameter {
    # One command:parameter. Switches have no value in a syntax line.
    param(
        [System.Xml.XmlWriter] $Writer,
        [string] $Name,
        [type] $Type,
        [bool] $Required,
        [int] $Position,
        [string] $PipelineInput,
        [string[]] $Aliases,
        [string[]] $Paragraphs,
        [string] $DefaultValue,
        [switch] $InSyntax
    )
    $isSwitch = $Type -eq [System.Management.Automation.SwitchParameter]
    $Writer.WriteStartElement('command', 'parameter', $CommandNs)
    $Writer.WriteAttributeString('required', $Required.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', $Type.IsArray.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('globbing', 'false')
    $Writer.WriteAttributeString('pipelineInput', $PipelineInput)
    $Writer.WriteAttributeString('position', $(if ($Position -ge 0) { [string] $Position } else { 'named' }))
    $Writer.WriteAttributeString('aliases', $(if ($Aliases) { $Aliases -join ', ' } else { 'none' }))
    $Writer.WriteElementString('maml', 'name', $MamlNs, $Name)
    Write-Description $Writer $Paragraphs
    if (-not ($isSwitch -and $InSyntax)) {
        $Writer.WriteStartElement('command', 'parameterValue', $CommandNs)
        $Writer.WriteAttributeString('required', (-not $isSwitch).ToString().ToLowerInvariant())
        $Writer.WriteAttributeString('variableLength', $Type.IsArray.ToString().ToLowerInvariant())
        $Writer.WriteString((Get-TypeName $Type))
        $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $DevNs)
    $Writer.WriteElementString('maml', 'name', $MamlNs, (Get-TypeName $Type -FullName))
    $Writer.WriteElementString('maml', 'uri', $MamlNs, '')
    $Writer.WriteEndElement()
    $default = if ($DefaultValue) { $DefaultValue } elseif ($isSwitch) { 'False' } else { 'None' }
    $Writer.WriteElementString('dev', 'defaultValue', $DevNs, $default)
    $Writer.WriteEndElement()
}

function Get-DisplayOrder {
    # Syntax order: positional parameters by position, then mandatory named, then optional named.
    param([System.Management.Automation.CommandParameterInfo[]] $Parameters)
    $positional = @($Parameters | Where-Object Position -ge 0 | Sort-Object Position)
    $mandatory = @($Parameters | Where-Object { $_.Position -lt 0 -and $_.IsMandatory })
    $optional = @($Parameters | Where-Object { $_.Position -lt 0 -and -not $_.IsMandatory })
    $positional + $mandatory + $optional
}

function Write-TypeList {
    # command:inputTypes / command:returnValues: one dev:type name and description per type.
    param($Writer, [string] $ListElement, [string] $ItemElement, $Types)
    $Writer.WriteStartElement('command', $ListElement, $CommandNs)
    foreach ($type in $Types) {
        $Writer.WriteStartElement('command', $ItemElement, $CommandNs)
        $Writer.WriteStartElement('dev', 'type', $DevNs)
        $Writer.WriteElementString('maml', 'name', $MamlNs, $type.Name)
        $Writer.WriteEndElement()
        Write-Description $Writer $type.Paragraphs
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
}

function Write-CommandHelp {
    param([System.Xml.XmlWriter] $Writer, [System.Management.Automation.CommandInfo] $Command, $Help)
    $Writer.WriteStartElement('command', 'command', $CommandNs)
    $Writer.WriteAttributeString('xmlns', 'maml', $null, $MamlNs)
    $Writer.WriteAttributeString('xmlns', 'dev', $null, $DevNs)
    $Writer.WriteAttributeString('xmlns', 'MSHelp', $null, $MSHelpNs)

    $Writer.WriteStartElement('command', 'details', $CommandNs)
    $Writer.WriteElementString('command', 'name', $CommandNs, $Command.Name)
    $Writer.WriteElementString('command', 'verb', $CommandNs, $Command.Verb)
    $Writer.WriteElementString('command', 'noun', $CommandNs, $Command.Noun)
    Write-Description $Writer @($Help.Synopsis)
    $Writer.WriteEndElement()

    Write-Description $Writer $Help.Description

    $documented = @{}
    foreach ($parameter in (Get-DocumentedParameter $Command)) { $documented[$parameter.Name] = $parameter }

    # One syntax item per parameter set, from the real metadata; the default set first.
    $Writer.WriteStartElement('command', 'syntax', $CommandNs)
    $sets = @($Command.ParameterSets | Sort-Object { -not $_.IsDefault })
    foreach ($set in $sets) {
        $Writer.WriteStartElement('command', 'syntaxItem', $CommandNs)
        $Writer.WriteElementString('maml', 'name', $MamlNs, $Command.Name)
        $inSet = @($set.Parameters | Where-Object { $documented.ContainsKey($_.Name) })
        foreach ($parameter in (Get-DisplayOrder $inSet)) {
            $text = $Help.Parameters[$parameter.Name]
            Write-Parameter -Writer $Writer -Name $parameter.Name -Type $parameter.ParameterType -Required $parameter.IsMandatory `
                -Position $parameter.Position -PipelineInput (Get-PipelineInput $parameter.ValueFromPipeline $parameter.ValueFromPipelineByPropertyName) `
                -Aliases $parameter.Aliases -Paragraphs $text.Paragraphs -DefaultValue $text.DefaultValue -InSyntax
        }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    # Every parameter once, in the markdown's order; required only when mandatory in every
    # set it belongs to; pipeline input when any set takes it from the pipeline.
    $Writer.WriteStartElement('command', 'parameters', $CommandNs)
    foreach ($text in $Help.Parameters.Values) {
        $metadata = $documented[$text.Name]
        $inSets = @($Command.ParameterSets | ForEach-Object { $_.Parameters | Where-Object Name -eq $text.Name })
        $positions = @($inSets | Where-Object Position -ge 0 | ForEach-Object Position | Sort-Object -Unique)
        Write-Parameter -Writer $Writer -Name $metadata.Name -Type $metadata.ParameterType `
            -Required (@($inSets | Where-Object { -not $_.IsMandatory }).Count -eq 0) `
            -Position $(if ($positions.Count -gt 0) { $positions[0] } else { -1 }) `
            -PipelineInput (Get-PipelineInput (@($inSets | Where-Object ValueFromPipeline).Count -gt 0) (@($inSets | Where-Object ValueFromPipelineByPropertyName).Count -gt 0)) `
            -Aliases $metadata.Aliases -Paragraphs $text.Paragraphs -DefaultValue $text.DefaultValue
    }
    $Writer.WriteEndElement()

    Write-TypeList $Writer 'inputTypes' 'inputType' $Help.Inputs
    Write-TypeList $Writer 'returnValues' 'returnValue' $Help.Outputs

    if ($Help.Notes) {
        $Writer.WriteStartElement('maml', 'alertSet', $MamlNs)
        $Writer.WriteStartElement('maml', 'alert', $MamlNs)
        Write-Paragraph $Writer $Help.Notes
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('command', 'examples', $CommandNs)
    foreach ($example in $Help.Examples) {
        $Writer.WriteStartElement('command', 'example', $CommandNs)
        $Writer.WriteElementString('maml', 'title', $MamlNs, "--------- $($example.Title) ---------")
        $Writer.WriteElementString('dev', 'code', $DevNs, $example.Code)
        $Writer.WriteStartElement('dev', 'remarks', $DevNs)
        Write-Paragraph $Writer $example.Remarks
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $CommandNs)
    foreach ($link in $Help.Links) {
        $Writer.WriteStartElement('maml', 'navigationLink', $MamlNs)
        $Writer.WriteElementString('maml', 'linkText', $MamlNs, $link.Text)
        $Writer.WriteElementString('maml', 'uri', $MamlNs, $link.Uri)
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()
}

#endregion

#region Main

if (-not (Test-Path -LiteralPath $SourcePath -PathType Container)) { throw "The help source folder '$SourcePath' does not exist." }
$SourcePath = (Resolve-Path -LiteralPath $SourcePath).ProviderPath
if (-not $ModulePath) { $ModulePath = $OutputPath }
$manifest = if (Test-Path -LiteralPath $ModulePath -PathType Container) { Join-Path $ModulePath "$ModuleName.psd1" } else { $ModulePath }
if (-not (Test-Path -LiteralPath $manifest -PathType Leaf)) { throw "No module at '$ModulePath' (looked for $manifest); build it first (build.ps1 -Task Build)." }
$manifest = (Resolve-Path -LiteralPath $manifest).ProviderPath

# The real metadata: import the staged module (and leave the session as it was).
$wasLoaded = @(Get-Module -Name $ModuleName).Count -gt 0
$module = Import-Module -Name $manifest -PassThru -Force -ErrorAction Stop -Verbose:$false
try {
    $commands = @($module.ExportedCmdlets.Values | Sort-Object Name)
    if ($commands.Count -eq 0) { throw "$manifest exports no cmdlets." }
    $assembly = [System.IO.Path]::GetFileName($commands[0].ImplementingType.Assembly.Location)
    if (-not $assembly) { $assembly = [System.IO.Path]::GetFileName($module.RootModule) }

    $problems = [System.Collections.Generic.List[string]]::new()
    $helps = @{}
    foreach ($command in $commands) {
        $path = Join-Path $SourcePath "$($command.Name).md"
        if (-not (Test-Path -LiteralPath $path -PathType Leaf)) {
            $problems.Add("$($command.Name).md is missing: every exported cmdlet needs its help file in $SourcePath.")
            continue
        }
        $help = Read-CommandHelp -Path $path -Problems $problems
        $helps[$command.Name] = $help

        $real = @{}
        foreach ($parameter in (Get-DocumentedParameter $command)) { $real[$parameter.Name] = $parameter }
        foreach ($name in $real.Keys | Sort-Object) {
            if (-not $help.Parameters.Contains($name)) { $problems.Add("$($help.File): parameter -$name is not described.") }
            elseif ($help.Parameters[$name].Paragraphs.Count -eq 0) { $problems.Add("$($help.File): parameter -$name has an empty description.") }
        }
        foreach ($name in $help.Parameters.Keys) {
            $match = $real.Keys | Where-Object { $_ -ceq $name }
            if (-not $match) {
                $other = $real.Keys | Where-Object { $_ -eq $name }
                if ($other) { $problems.Add("$($help.File): describes -$name, but the parameter is spelled -$other.") }
                elseif ($command.Parameters.ContainsKey($name)) { $problems.Add("$($help.File): describes -$name, a common or hidden parameter that is not documented per cmdlet.") }
                else { $problems.Add("$($help.File): describes -$name, which $($command.Name) does not have.") }
            }
        }
        foreach ($type in $command.OutputType) {
            $typeName = $type.Name
            if ($typeName -eq 'System.Void') { continue }
            if (-not ($help.Outputs | Where-Object { $_.Name -eq $typeName -or $typeName.EndsWith(".$($_.Name)") })) {
                $problems.Add("$($help.File): OUTPUTS does not list $typeName, which $($command.Name) declares.")
            }
        }
    }
    foreach ($file in (Get-ChildItem -LiteralPath $SourcePath -Filter '*.md' -File)) {
        if ($file.BaseName -like 'about_*') { continue }
        if (-not ($commands | Where-Object Name -eq $file.BaseName)) {
            $problems.Add("$($file.Name) documents a cmdlet that $ModuleName does not export.")
        }
    }
    $aboutSource = Join-Path $SourcePath "$AboutTopic.md"
    if (-not (Test-Path -LiteralPath $aboutSource -PathType Leaf)) { $problems.Add("$AboutTopic.md is missing.") }
    if ($problems.Count -gt 0) {
        throw "The help in $SourcePath has $($problems.Count) problem(s):`n  " + ($problems -join "`n  ")
    }

    $cultureOut = Join-Path $OutputPath $Culture
    New-Item -ItemType Directory -Force -Path $cultureOut | Out-Null
    $mamlPath = Join-Path $cultureOut "$assembly-Help.xml"
    $settings = [System.Xml.XmlWriterSettings]::new()
    $settings.Indent = $true
    $settings.IndentChars = '  '
    $settings.Encoding = [System.Text.UTF8Encoding]::new($false)
    $settings.NewLineHandling = [System.Xml.NewLineHandling]::Entitize
    $settings.CheckCharacters = $true
    $writer = [System.Xml.XmlWriter]::Create($mamlPath, $settings)
    try {
        $writer.WriteStartDocument()
        $writer.WriteStartElement('helpItems', 'http://msh')
        $writer.WriteAttributeString('schema', 'maml')
        foreach ($command in $commands) { Write-CommandHelp -Writer $writer -Command $command -Help $helps[$command.Name] }
        $writer.WriteEndElement()
        $writer.WriteEndDocument()
    }
    finally {
        $writer.Dispose()
    }
    # Read it back: a malformed file would make Get-Help fall back silently to syntax only.
    [xml] $check = [System.IO.File]::ReadAllText($mamlPath)
    $written = @($check.helpItems.ChildNodes | Where-Object LocalName -eq 'command').Count
    if ($written -ne $commands.Count) { throw "$mamlPath holds $written commands, not $($commands.Count)." }

    $aboutPath = Join-Path $cultureOut "$AboutTopic.help.txt"
    [System.IO.File]::WriteAllText($aboutPath, (ConvertTo-AboutText $aboutSource), [System.Text.UTF8Encoding]::new($false))

    Write-Host "Help for $($commands.Count) cmdlets: $mamlPath; about topic: $aboutPath"
}
finally {
    if (-not $wasLoaded) { Remove-Module -ModuleInfo $module -ErrorAction Ignore }
}

#endregion
