; Inno Setup 6 script for the Windows installer; packaging\build-windows.ps1 passes
; AppVersion, SourceDir (the built dist\Aiuteur folder), IconFile and OutputName.
; Installs for the current user by default (no administrator needed), offers all users.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\Aiuteur"
#endif
#ifndef IconFile
  #define IconFile "..\..\build\pyinstaller\aiuteur\icons\aiuteur.ico"
#endif
#ifndef OutputName
  #define OutputName "Aiuteur-setup"
#endif

[Setup]
AppId={{6F1B7C52-3E0A-4D8B-9C1E-A1E7E0F5D201}
AppName=Aiuteur
AppVersion={#AppVersion}
AppPublisher=Aiuteur
DefaultDirName={autopf}\Aiuteur
DefaultGroupName=Aiuteur
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename={#OutputName}
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\Aiuteur.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesEnvironment=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; Flags: unchecked
Name: "addtopath"; Description: "Add aiuteur-cli to PATH (the headless commands)"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Aiuteur"; Filename: "{app}\Aiuteur.exe"
Name: "{group}\Uninstall Aiuteur"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Aiuteur"; Filename: "{app}\Aiuteur.exe"; Tasks: desktopicon

[Registry]
; Opening a project bundle (a folder ending in .aiuteur) from Explorer's "Open with".
Root: HKA; Subkey: "Software\Classes\Applications\Aiuteur.exe\shell\open\command"; ValueType: string; ValueData: """{app}\Aiuteur.exe"" ""%1"""; Flags: uninsdeletekey
Root: HKCU; Subkey: "Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\Aiuteur.exe"; Description: "{cm:LaunchProgram,Aiuteur}"; Flags: nowait postinstall skipifsilent

[Code]
function NeedsAddPath(Dir: string): Boolean;
var
  Paths: string;
begin
  if not RegQueryStringValue(HKCU, 'Environment', 'Path', Paths) then
    Paths := '';
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';') = 0;
end;
