# The module manifest (GiftStudio.psd1) as staged.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Manifest = Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1'
    Import-Module $Manifest -Force
}

Describe 'The manifest' {
    It 'passes Test-ModuleManifest and exports exactly its cmdlets' {
        $info = Test-ModuleManifest $Manifest
        $info.ExportedCmdlets.Keys | Sort-Object | Should -Be ((Get-Command -Module GiftStudio).Name | Sort-Object)
        $info.ExportedFunctions.Count | Should -Be 0
        $info.CompatiblePSEditions | Should -Be @('Core')
        $info.PrivateData.PSData.Tags | Should -Contain 'SocialOS'
        $info.PrivateData.PSData.LicenseUri | Should -Not -BeNullOrEmpty
        $info.PrivateData.PSData.ProjectUri | Should -Not -BeNullOrEmpty
        $info.PrivateData.PSData.ReleaseNotes | Should -Not -BeNullOrEmpty
    }
}
