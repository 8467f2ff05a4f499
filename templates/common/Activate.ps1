<#
.SYNOPSIS
Activate a Python virtual environment in the current PowerShell session.

.DESCRIPTION
Puts the environment's scripts directory first in PATH, sets VIRTUAL_ENV and
VIRTUAL_ENV_PROMPT, removes PYTHONHOME, and prefixes the prompt with the
environment's name unless VIRTUAL_ENV_DISABLE_PROMPT is set and non-empty.
`deactivate` undoes all of it; `deactivate -NonDestructive` undoes it but
keeps the function.

Values written by venv are single-quoted strings in which every quote
character PowerShell accepts (' and U+2018 to U+201B) is doubled. This file
starts with a byte order mark so that Windows PowerShell also reads it as
UTF-8.

.PARAMETER VenvDir
The environment's directory; by default the one it was created in.

.PARAMETER Prompt
The name shown in the prompt; by default the one chosen when it was created.

.EXAMPLE
. ./bin/Activate.ps1
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $false)]
    [String]
    $VenvDir,

    [Parameter(Mandatory = $false)]
    [String]
    $Prompt
)

function global:deactivate {
    param([switch] $NonDestructive)

    if ($null -ne (Get-Variable -Name _OLD_VIRTUAL_PATH -Scope Global -ErrorAction SilentlyContinue)) {
        $env:PATH = $Global:_OLD_VIRTUAL_PATH
        Remove-Variable -Name _OLD_VIRTUAL_PATH -Scope Global
    }
    if ($null -ne (Get-Variable -Name _OLD_VIRTUAL_PYTHONHOME -Scope Global -ErrorAction SilentlyContinue)) {
        $env:PYTHONHOME = $Global:_OLD_VIRTUAL_PYTHONHOME
        Remove-Variable -Name _OLD_VIRTUAL_PYTHONHOME -Scope Global
    }
    if (Test-Path -LiteralPath Function:_OLD_VIRTUAL_PROMPT) {
        Copy-Item -LiteralPath Function:_OLD_VIRTUAL_PROMPT -Destination Function:prompt
        Remove-Item -LiteralPath Function:_OLD_VIRTUAL_PROMPT
    }
    if (Test-Path -LiteralPath Env:VIRTUAL_ENV) {
        Remove-Item -LiteralPath Env:VIRTUAL_ENV
    }
    if (Test-Path -LiteralPath Env:VIRTUAL_ENV_PROMPT) {
        Remove-Item -LiteralPath Env:VIRTUAL_ENV_PROMPT
    }
    if (-not $NonDestructive) {
        Remove-Item -LiteralPath Function:deactivate
    }
}

# Undo any environment activated before this one, keeping the function.
deactivate -NonDestructive

if (-not $VenvDir) {
    $VenvDir = __VENV_DIR__
}
if (-not $Prompt) {
    $Prompt = __VENV_PROMPT__
}

$env:VIRTUAL_ENV = $VenvDir
# The bare prompt name (CPython 3.13 semantics), set even when the prompt is
# left alone, for prompt themes to use.
$env:VIRTUAL_ENV_PROMPT = $Prompt

$Global:_OLD_VIRTUAL_PATH = $env:PATH
$venvBin = Join-Path -Path $VenvDir -ChildPath __VENV_BIN_NAME__
if ($env:PATH) {
    $env:PATH = $venvBin + [System.IO.Path]::PathSeparator + $env:PATH
} else {
    $env:PATH = $venvBin
}

if (Test-Path -LiteralPath Env:PYTHONHOME) {
    $Global:_OLD_VIRTUAL_PYTHONHOME = $env:PYTHONHOME
    Remove-Item -LiteralPath Env:PYTHONHOME
}

if (-not $env:VIRTUAL_ENV_DISABLE_PROMPT) {
    # Keep the current prompt under another name and call it from ours.
    function global:_OLD_VIRTUAL_PROMPT { '' }
    Copy-Item -LiteralPath Function:prompt -Destination Function:_OLD_VIRTUAL_PROMPT

    function global:prompt {
        # The name is expanded as a variable's value, never parsed as code.
        Write-Host -NoNewline -ForegroundColor Green "($env:VIRTUAL_ENV_PROMPT) "
        _OLD_VIRTUAL_PROMPT
    }
}
