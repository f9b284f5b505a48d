# Builds the Windows app: dist\Aiuteur\ (Aiuteur.exe opens the window, aiuteur-cli.exe runs
# the headless commands in a console) and, where Inno Setup 6 is installed,
# dist\Aiuteur-<version>-windows-<arch>-setup.exe from packaging\windows\aiuteur.iss.
# Not built in this project's CI (Linux only); run it on Windows with Python 3.11+ from
# python.org in PowerShell:
#
#   powershell -ExecutionPolicy Bypass -File packaging\build-windows.ps1
#
# The installer is not signed: SmartScreen says "Windows protected your PC" — More info →
# Run anyway. A release signs both .exe files and the setup with `signtool sign /fd sha256`.
$ErrorActionPreference = "Stop"
Set-Location (Split-Path -Parent $PSScriptRoot)
$Root = (Get-Location).Path
$Python = if ($env:PYTHON) { $env:PYTHON } else { "py" }
$Venv = Join-Path $Root "build\installer-venv"
$Work = Join-Path $Root "build\pyinstaller"

function Plan($field) {
    & $Python -c "import runpy; print(runpy.run_path('packaging/bundle_plan.py')['plan']().$field)"
}
$Version = Plan "version"
$Archive = Plan "archive"

Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $Venv, $Work, "dist\Aiuteur", "dist\$Archive"
& $Python -m venv $Venv
& "$Venv\Scripts\python.exe" -m pip install --quiet --upgrade pip
& "$Venv\Scripts\pip.exe" install --quiet $Root "pyinstaller>=6.22,<6.23" "pyinstaller-hooks-contrib>=2026.10"
# The spec makes the .ico from the SVG (make_icons.py) and builds both programs into one folder.
& "$Venv\Scripts\pyinstaller.exe" --noconfirm --clean --log-level WARN `
    --distpath "$Root\dist" --workpath $Work packaging\aiuteur.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }
& "$Root\dist\Aiuteur\aiuteur-cli.exe" --version

$Iscc = Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe"
if (Test-Path $Iscc) {
    & $Iscc "/DAppVersion=$Version" "/DSourceDir=$Root\dist\Aiuteur" "/DIconFile=$Work\aiuteur\icons\aiuteur.ico" "/DOutputName=$([IO.Path]::GetFileNameWithoutExtension($Archive))" `
        "/O$Root\dist" packaging\windows\aiuteur.iss
    Write-Host "build: dist\$Archive"
} else {
    Write-Host "build: dist\Aiuteur (Inno Setup 6 not found: no installer; https://jrsoftware.org/isinfo.php)"
}
