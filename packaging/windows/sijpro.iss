; Inno Setup script: Windows installer for the SIJ-PRO one-folder bundle.
;
; Build the bundle on Windows first (PyInstaller does not cross-compile):
;     py -3.11 -m venv .venv && .venv\Scripts\pip install -e .[postgres,package]
;     .venv\Scripts\python packaging\build.py
; then compile this script with Inno Setup 6:
;     "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" packaging\windows\sijpro.iss
; The installer lands in dist\installer\SIJ-PRO-<version>-setup.exe. It installs dist\sijpro into
; Program Files, adds Start-menu shortcuts for the staff app and the patient kiosk, shows the licence
; notice (the ODI and SF-12 need the clinic's own licence) and puts `sijpro` on the PATH on request.
; The clinic's data (%LOCALAPPDATA%\sijpro\...) is never touched by installing or uninstalling.

#define AppName "SIJ-PRO"
; The version is pyproject.toml's, read from the bundled program's own version file
#define AppVersion Trim(FileRead(FileOpen(AddBackslash(SourcePath) + "..\..\dist\sijpro\VERSION")))
#define Bundle "..\..\dist\sijpro"

[Setup]
; A fixed AppId: later versions upgrade this installation in place.
AppId={{5B0F6D1E-3C52-4E0B-9A57-2D7C4E1A9F03}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=The SIJ-PRO developers
DefaultDirName={autopf}\SIJ-PRO
DefaultGroupName=SIJ-PRO
DisableProgramGroupPage=yes
LicenseFile=..\LICENSE-NOTICE.txt
OutputDir=..\..\dist\installer
OutputBaseFilename=SIJ-PRO-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\sijpro.ico
UninstallDisplayIcon={app}\sijpro-gui.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequiredOverridesAllowed=dialog
ChangesEnvironment=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "french"; MessagesFile: "compiler:Languages\French.isl"

[CustomMessages]
english.StaffApp=SIJ-PRO
french.StaffApp=SIJ-PRO
english.Kiosk=SIJ-PRO patient kiosk
french.Kiosk=SIJ-PRO borne patient
english.Notice=SIJ-PRO licence notice
french.Notice=SIJ-PRO avis de licence
english.AddToPath=Add the sijpro command to the PATH (for backups and reports from a command prompt)
french.AddToPath=Ajouter la commande sijpro au PATH (sauvegardes et rapports en ligne de commande)

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "{cm:AddToPath}"; Flags: unchecked

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; A new version's bundle replaces the old libraries entirely, so no stale file is left behind.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\{cm:StaffApp}"; Filename: "{app}\sijpro-gui.exe"; WorkingDir: "{app}"
Name: "{group}\{cm:Kiosk}"; Filename: "{app}\sijpro-gui.exe"; Parameters: "--kiosk"; WorkingDir: "{app}"
Name: "{group}\{cm:Notice}"; Filename: "{app}\LICENSE-NOTICE.txt"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{cm:StaffApp}"; Filename: "{app}\sijpro-gui.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Registry]
Root: HKA; Subkey: "{code:EnvironmentKey}"; ValueType: expandsz; ValueName: "Path"; \
    ValueData: "{olddata};{app}"; Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\sijpro-gui.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
function EnvironmentKey(Param: String): String;
begin
  if IsAdminInstallMode then
    Result := 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment'
  else
    Result := 'Environment';
end;

function NeedsAddPath(Dir: String): Boolean;
var
  Paths: String;
  RootKey: Integer;
begin
  if IsAdminInstallMode then
    RootKey := HKEY_LOCAL_MACHINE
  else
    RootKey := HKEY_CURRENT_USER;
  if not RegQueryStringValue(RootKey, EnvironmentKey(''), 'Path', Paths) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';') = 0;
end;
