// Texts of the console: Dutch by default, English on request.
const TEXTS = {
  nl: {
    title: "Portaal – beheer", login: "Inloggen", code: "Gebruikerscode", password: "Wachtwoord",
    logout: "Uitloggen", users: "Gebruikers", imports: "Importeren", enrollments: "Afdelingsdeelnames",
    no_rights: "U bent ingelogd, maar u heeft geen rechten voor het beheer. Vraag een applicatiebeheerder om de juiste schoolfunctie.",
    login_failed: "Gebruikerscode of wachtwoord onjuist.", all_users: "Alle gebruikers", students: "Leerlingen",
    employees: "Werknemers", parents: "Ouders/verzorgers", search: "Zoeken", previous: "Vorige", next: "Volgende",
    name: "Naam", email: "E-mailadres", lln: "Lln", employee: "Wn", parent: "Ou", archived: "Gearchiveerd",
    add_user: "Gebruiker toevoegen", first_name: "Roepnaam", prefix: "Tussenvoegsel", last_name: "Achternaam",
    login_method: "Inlogmethode", as_student: "Toevoegen als leerling", add: "Toevoegen", added: "Toegevoegd",
    new_import: "Nieuwe import", kind: "Soort", kind_users: "Gebruikers", kind_enrollments: "Afdelingsdeelnames",
    file: "Bestand", upload: "Uploaden", schedule_project: "Roosterproject", history: "Eerdere imports",
    status: "Status", created: "Aangemaakt", rows: "Rijen", delimiter: "Scheidingsteken", encoding: "Codering",
    mode: "Modus", mode_import: "Importeren (alleen nieuwe)", mode_update: "Bijwerken (alleen bestaande)",
    mode_synchronize: "Synchroniseren (beide)", detected: "herkend", column_labels: "Kolommen en eerste rijen",
    preview: "Voorbeeld per rij", only_errors: "Alleen fouten tonen", start: "Starten", cancel: "Annuleren",
    progress: "Voortgang", summary: "Resultaat", download_errors: "Foutenrapport downloaden (errors.csv)",
    line: "Regel", action: "Actie", message: "Melding", analyzing: "Bestand wordt geanalyseerd…",
    failed: "Het bestand kan niet worden geïmporteerd", tab: "tab", semicolon: "puntkomma (;)", comma: "komma (,)",
    create: "nieuw", update: "bijwerken", unchanged: "ongewijzigd", skip: "overslaan", error: "fout",
    department: "Afdeling", all_departments: "Alle afdelingen", student: "Leerlingnummer", prognosis: "Prognose",
    profile: "Profiel", education: "Opleiding", main_group: "Stamklas", learning_path: "Leerpad",
    add_enrollment: "Afdelingsdeelname toevoegen", delete: "Verwijderen", placements: "Plaatsingen (Somtoday)",
    download_placements: "Plaatsingen downloaden (CSV)", without_learning_path: "Zonder leerpad", reason: "Reden",
    no_matching_learning_path: "geen passend leerpad", ambiguous_learning_path: "meerdere passende leerpaden",
    no_projects: "Er zijn nog geen roosterprojecten.", ignore: "Negeren", login_method_password: "wachtwoord",
    login_method_sso: "SSO", login_method_none: "geen", language: "English", total: "Totaal", yes: "ja",
    status_analyzing: "analyseren", status_ready: "klaar om te starten", status_queued: "in de wachtrij",
    status_running: "bezig", status_completed: "voltooid", status_failed: "mislukt", status_cancelled: "geannuleerd",
    err_student_code_not_numeric: "De gebruikerscode van een leerling mag alleen cijfers bevatten.",
    err_user_exists: "Er bestaat al een gebruiker met deze gebruikerscode.",
    err_invalid_code: "Een code heeft 1 tot 32 tekens: letters, cijfers, punt, streepje, liggend streepje of @.",
    err_insufficient_rights: "Daarvoor heeft u niet alle benodigde rechten.",
    err_last_application_manager: "Dit is de laatste actieve applicatiebeheerder; die kan niet worden gearchiveerd of uitgeschakeld.",
    err_invalid_email: "Dit is geen geldig e-mailadres.", err_invalid_password: "Een wachtwoord heeft 8 tot 1024 tekens.",
    err_unknown_student: "Er is geen leerling met dit leerlingnummer bekend.",
    err_not_a_student: "Deze gebruiker is geen leerling (meer) of is gearchiveerd.",
    err_unknown_department: "Deze afdeling bestaat niet in dit roosterproject.",
    err_invalid_prognosis: "De prognose moet een getal van 0 tot en met 100 zijn.",
    err_enrollment_exists: "Deze leerling heeft al een afdelingsdeelname in dit roosterproject; verwijder die eerst.",
    details: "Details",
    err_payload_too_large: "Het bestand is te groot.",
    audit: "Logboek", session_ended: "Uw sessie is verlopen of beëindigd. Log opnieuw in; u komt terug op dezelfde pagina.",
    err_too_many_attempts: "Te veel mislukte inlogpogingen. Probeer het over een kwartier opnieuw.",
    err_login_unavailable: "Inloggen kan nu even niet. Probeer het zo opnieuw.",
    err_unreachable: "De server is niet bereikbaar. Controleer de verbinding en probeer het opnieuw.",
    // An answer that is not the contract's JSON (a proxy's error page): by its status, never its own words.
    err_http_gateway: "De server is niet bereikbaar (status {status}). Probeer het over enkele ogenblikken opnieuw.",
    err_http_status: "De server antwoordde met een fout (status {status}). Probeer het later opnieuw.",
    audit_user: "Gebruiker", audit_action: "Actie", all_actions: "Alle acties", audit_at: "Tijdstip",
    audit_target: "Betreft", audit_client: "Adres", per_page: "Per pagina", filter: "Filteren",
    no_entries: "Geen regels gevonden.", system: "systeem", fields: "velden",
    "action_auth.login": "ingelogd", "action_auth.login_failed": "inloggen mislukt",
    "action_user.created": "gebruiker aangemaakt", "action_user.updated": "gebruiker gewijzigd",
    "action_school_function.created": "schoolfunctie aangemaakt", "action_school_function.updated": "schoolfunctie gewijzigd",
    "action_import.started": "import gestart", "action_import.cancelled": "import geannuleerd",
    "action_import.deleted": "import verwijderd",
    "action_import.completed": "import voltooid", "action_enrollment.created": "afdelingsdeelname toegevoegd",
    "action_enrollment.deleted": "afdelingsdeelname verwijderd",
    "action_enrollment.updated": "afdelingsdeelname gewijzigd",
    "action_schedule_project.updated": "roosterproject gewijzigd", "action_schedule_project.deleted": "roosterproject verwijderd",
    "action_department.updated": "afdeling gewijzigd", "action_department.deleted": "afdeling verwijderd",
    "action_learning_path.updated": "leerpad gewijzigd", "action_learning_path.deleted": "leerpad verwijderd",
  },
  en: {
    title: "Portal – administration", login: "Log in", code: "User code", password: "Password",
    logout: "Log out", users: "Users", imports: "Imports", enrollments: "Enrollments",
    no_rights: "You are logged in, but you have no administrative rights. Ask an application manager for the right school function.",
    login_failed: "Wrong user code or password.", all_users: "All users", students: "Students",
    employees: "Employees", parents: "Parents/guardians", search: "Search", previous: "Previous", next: "Next",
    name: "Name", email: "Email", lln: "Stu", employee: "Emp", parent: "Par", archived: "Archived",
    add_user: "Add user", first_name: "First name", prefix: "Prefix", last_name: "Last name",
    login_method: "Login method", as_student: "Add as student", add: "Add", added: "Added",
    new_import: "New import", kind: "Kind", kind_users: "Users", kind_enrollments: "Enrollments",
    file: "File", upload: "Upload", schedule_project: "Schedule project", history: "Past imports",
    status: "Status", created: "Created", rows: "Rows", delimiter: "Delimiter", encoding: "Encoding",
    mode: "Mode", mode_import: "Import (new only)", mode_update: "Update (existing only)",
    mode_synchronize: "Synchronize (both)", detected: "detected", column_labels: "Columns and first rows",
    preview: "Preview per row", only_errors: "Show errors only", start: "Start", cancel: "Cancel",
    progress: "Progress", summary: "Result", download_errors: "Download the error report (errors.csv)",
    line: "Line", action: "Action", message: "Message", analyzing: "Analysing the file…",
    failed: "The file cannot be imported", tab: "tab", semicolon: "semicolon (;)", comma: "comma (,)",
    create: "create", update: "update", unchanged: "unchanged", skip: "skip", error: "error",
    department: "Department", all_departments: "All departments", student: "Student number", prognosis: "Prognosis",
    profile: "Profile", education: "Education", main_group: "Main group", learning_path: "Learning path",
    add_enrollment: "Add enrollment", delete: "Delete", placements: "Placements (Somtoday)",
    download_placements: "Download placements (CSV)", without_learning_path: "Without learning path", reason: "Reason",
    no_matching_learning_path: "no matching learning path", ambiguous_learning_path: "several matching learning paths",
    no_projects: "There are no schedule projects yet.", ignore: "Ignore", login_method_password: "password",
    login_method_sso: "SSO", login_method_none: "none", language: "Nederlands", total: "Total", yes: "yes",
    status_analyzing: "analysing", status_ready: "ready to start", status_queued: "queued",
    status_running: "running", status_completed: "completed", status_failed: "failed", status_cancelled: "cancelled",
    err_student_code_not_numeric: "A student's user code may contain digits only.",
    err_user_exists: "A user with this code exists already.",
    err_invalid_code: "A code has 1 to 32 characters: letters, digits, dot, hyphen, underscore or @.",
    err_insufficient_rights: "You do not hold every right this needs.",
    err_last_application_manager: "This is the last active application manager; it cannot be archived or switched off.",
    err_invalid_email: "This is not a valid email address.", err_invalid_password: "A password has 8 to 1024 characters.",
    err_unknown_student: "No student with this number is known.",
    err_not_a_student: "This user is no longer a student or is archived.",
    err_unknown_department: "This department does not exist in this schedule project.",
    err_invalid_prognosis: "The prognosis must be a number from 0 to 100.",
    err_enrollment_exists: "This student already has an enrollment in this schedule project; delete it first.",
    details: "Details",
    err_payload_too_large: "The file is too large.",
    audit: "Audit trail", session_ended: "Your session expired or was ended. Log in again to return to the same page.",
    err_too_many_attempts: "Too many failed logins. Try again in a quarter of an hour.",
    err_login_unavailable: "Logging in is not possible right now. Try again shortly.",
    err_unreachable: "The server cannot be reached. Check the connection and try again.",
    err_http_gateway: "The server cannot be reached (status {status}). Try again in a few moments.",
    err_http_status: "The server answered with an error (status {status}). Try again later.",
    audit_user: "User", audit_action: "Action", all_actions: "All actions", audit_at: "Time",
    audit_target: "Subject", audit_client: "Address", per_page: "Per page", filter: "Filter",
    no_entries: "No entries found.", system: "system", fields: "fields",
    "action_auth.login": "logged in", "action_auth.login_failed": "login failed",
    "action_user.created": "user created", "action_user.updated": "user changed",
    "action_school_function.created": "school function created", "action_school_function.updated": "school function changed",
    "action_import.started": "import started", "action_import.cancelled": "import cancelled",
    "action_import.deleted": "import deleted",
    "action_import.completed": "import completed", "action_enrollment.created": "enrollment added",
    "action_enrollment.deleted": "enrollment deleted",
    "action_enrollment.updated": "enrollment changed",
    "action_schedule_project.updated": "schedule project changed", "action_schedule_project.deleted": "schedule project deleted",
    "action_department.updated": "department changed", "action_department.deleted": "department deleted",
    "action_learning_path.updated": "learning path changed", "action_learning_path.deleted": "learning path deleted",
  },
};

// ---- Import pages (imports.js, import-job.js, import-vocabulary.js): begin ----
const IMPORT_TEXTS = {
  nl: {
    imp_archive: "archiveren", imp_no: "nee", imp_back: "Alle imports",
    imp_all: "Alle rijen", imp_filter: "Rijen tonen per actie", imp_no_rows: "Geen rijen met deze actie.",
    imp_rows_range: "Rijen {from}–{to} van {total}", imp_rows_result: "Resultaat per rij",
    imp_counts: "Aantallen", imp_planned: "gepland", imp_not_started: "niet uitgevoerd",
    imp_counts_planned: "Gepland (voorbeeld: er is nog niets gewijzigd)", imp_counts_done: "Uitgevoerd",
    imp_no_imports: "Er zijn nog geen imports.", imp_detect: "automatisch herkennen",
    imp_counts_none: "Niet uitgevoerd (dit waren de geplande aantallen)",
    imp_login_method: "Inlogmethode van nieuwe gebruikers",
    imp_archive_missing: "Leerlingen die niet in het bestand staan archiveren",
    imp_archive_missing_hint: "Alleen bij synchroniseren van leerlingen: elke actieve leerling die niet in het bestand staat, wordt gearchiveerd (bijvoorbeeld leerlingen die de school hebben verlaten). U ziet ze eerst in het voorbeeld.",
    imp_max_archive_percent: "Drempel: hoogstens dit percentage van de actieve leerlingen archiveren",
    imp_threshold_exceeded: "Starten is geweigerd: er zouden meer leerlingen worden gearchiveerd dan de drempel toestaat. Controleer de rijen met de actie archiveren. Klopt het, verhoog dan de drempel en start opnieuw.",
    imp_threshold_facts: "Te archiveren: {count} van de {active} actieve leerlingen ({percent}%); de drempel is {max}%.",
    imp_new_threshold: "Nieuwe drempel (%)", imp_raise_threshold: "Drempel verhogen",
    imp_threshold_raised: "De drempel is nu {percent}%. U kunt de import starten.",
    imp_percent_invalid: "Vul een percentage van 0 tot en met 100 in.",
    imp_changes: "Wijzigingen (oud → nieuw)", imp_values: "Gegevens", imp_file_rows: "Rijen in het bestand", imp_has_header: "De eerste regel is een kopregel",
    imp_reanalyse_heading: "Andere instellingen kiezen", imp_reanalyse: "Opnieuw analyseren",
    imp_reanalyse_intro: "Misschien is het scheidingsteken, de codering of de kopregel verkeerd herkend. Kies de juiste instellingen en laat het bestand opnieuw analyseren.",
    imp_reanalyse_mapping: "Kolommen:",
    imp_discard_heading: "Import verwijderen", imp_discard: "Import verwijderen",
    imp_discard_intro: "Verwijdert deze import en het geüploade bestand. Wat al is geïmporteerd, blijft.",
    imp_discard_confirm: "Weet u zeker dat u deze import wilt verwijderen? Dit kan niet ongedaan worden gemaakt.",
    imp_discard_yes: "Ja, verwijderen", imp_discard_no: "Nee, behouden", imp_discarded: "De import van {file} is verwijderd.",
    imp_cancelled_before_start: "Deze import is geannuleerd voordat hij begon: er is niets gewijzigd.",
    imp_needs_rights: "Hiervoor heeft u deze rechten nodig: {rights}.",
    imp_read_only: "U kunt deze import bekijken, maar niet wijzigen, starten of verwijderen.",
    imp_ask_manager: "Vraag een applicatiebeheerder om een schoolfunctie met die rechten.",
  },
  en: {
    imp_archive: "archive", imp_no: "no", imp_back: "All imports",
    imp_all: "All rows", imp_filter: "Show rows per action", imp_no_rows: "No rows with this action.",
    imp_rows_range: "Rows {from}–{to} of {total}", imp_rows_result: "Result per row",
    imp_counts: "Counts", imp_planned: "planned", imp_not_started: "not carried out",
    imp_counts_planned: "Planned (preview: nothing has changed yet)", imp_counts_done: "Done",
    imp_no_imports: "There are no imports yet.", imp_detect: "detect automatically",
    imp_counts_none: "Not carried out (these were the planned counts)",
    imp_login_method: "Login method of new users",
    imp_archive_missing: "Archive students who are not in the file",
    imp_archive_missing_hint: "Only when synchronizing students: every active student who is not in the file is archived (for example students who left the school). You see them in the preview first.",
    imp_max_archive_percent: "Threshold: archive at most this percentage of the active students",
    imp_threshold_exceeded: "Start was refused: more students would be archived than the threshold allows. Check the rows with the action archive. If they are right, raise the threshold and start again.",
    imp_threshold_facts: "To archive: {count} of the {active} active students ({percent}%); the threshold is {max}%.",
    imp_new_threshold: "New threshold (%)", imp_raise_threshold: "Raise the threshold",
    imp_threshold_raised: "The threshold is now {percent}%. You can start the import.",
    imp_percent_invalid: "Enter a percentage from 0 to 100.",
    imp_changes: "Changes (old → new)", imp_values: "Values", imp_file_rows: "Rows in the file", imp_has_header: "The first line is a header",
    imp_reanalyse_heading: "Choose other settings", imp_reanalyse: "Analyse again",
    imp_reanalyse_intro: "The delimiter, the encoding or the header may have been recognised wrongly. Choose the right settings and have the file analysed again.",
    imp_reanalyse_mapping: "Columns:",
    imp_discard_heading: "Discard import", imp_discard: "Discard import",
    imp_discard_intro: "Deletes this import and its uploaded file. What was imported already stays.",
    imp_discard_confirm: "Do you really want to discard this import? This cannot be undone.",
    imp_discard_yes: "Yes, discard", imp_discard_no: "No, keep it", imp_discarded: "The import of {file} was discarded.",
    imp_cancelled_before_start: "This import was cancelled before it began: nothing was changed.",
    imp_needs_rights: "This needs these rights: {rights}.",
    imp_read_only: "You can view this import, but not change, start or discard it.",
    imp_ask_manager: "Ask an application manager for a school function with those rights.",
  },
};
Object.assign(TEXTS.nl, IMPORT_TEXTS.nl);
Object.assign(TEXTS.en, IMPORT_TEXTS.en);
// ---- Import pages: end ----
// ---- enr_: schedule projects, departments, learning paths, enrollments (pages/schedule-projects.js,
// pages/learning-paths.js, pages/enrollments.js, upkeep.js). One block, kept apart to ease merging. ----
const ENR_TEXTS = {
  nl: {
    enr_schedule_projects: "Roosterprojecten", enr_learning_paths: "Leerpaden", enr_code: "Code", enr_name: "Naam",
    enr_school_year: "Schooljaar", enr_school_year_hint: "bijvoorbeeld 2026-2027",
    enr_add_project: "Roosterproject toevoegen", enr_departments: "Afdelingen", enr_add_department: "Afdeling toevoegen",
    enr_year_of_education: "Leerjaar", enr_add_learning_path: "Leerpad toevoegen", enr_element_code: "Elementcode",
    enr_lwoo_element_code: "Elementcode lwoo", enr_years: "Leerjaren", enr_educations: "Opleidingen",
    enr_profiles: "Profielen", enr_list_hint: "Meerdere waarden scheiden met een komma; leeg: elke.",
    enr_edit: "Wijzigen", enr_save: "Opslaan", enr_cancel: "Annuleren", enr_delete: "Verwijderen",
    enr_confirm_yes: "Ja, verwijderen", enr_confirm_project: "Roosterproject {code} met zijn afdelingen verwijderen?",
    enr_confirm_department: "Afdeling {code} verwijderen?", enr_confirm_learning_path: "Leerpad {code} verwijderen?",
    enr_confirm_enrollment: "De afdelingsdeelname van {student} verwijderen?", enr_saved: "Opgeslagen.",
    enr_added: "Toegevoegd: {code}.", enr_deleted: "Verwijderd: {code}.",
    enr_read_only: "U kunt dit alleen bekijken: toevoegen, wijzigen en verwijderen vraagt het recht enrollments:write (afdelingsdeelnames beheren). Vraag een applicatiebeheerder daarom.",
    enr_no_projects: "Er zijn nog geen roosterprojecten.", enr_no_departments: "Dit roosterproject heeft nog geen afdelingen.",
    enr_no_learning_paths: "Er zijn nog geen leerpaden.", enr_no_enrollments: "Geen afdelingsdeelnames gevonden.",
    enr_student: "Leerling", enr_status_archived: "gearchiveerd", enr_status_not_a_student: "geen leerling meer",
    enr_status_hint_archived: "Deze leerling is gearchiveerd en gaat niet mee in de plaatsingen.",
    enr_status_hint_not_a_student: "Deze gebruiker is geen leerling meer en gaat niet mee in de plaatsingen.",
    enr_name_unknown: "geen naam bekend", enr_placed: "Geplaatst", enr_excluded: "Niet geplaatst: gearchiveerd of geen leerling meer",
    enr_download_json: "Plaatsingen downloaden (JSON)", enr_open_departments: "Afdelingen",
    enr_open_enrollments: "Afdelingsdeelnames", enr_back_to_projects: "Alle roosterprojecten",
    enr_project_heading: "Roosterproject {code}", enr_actions: "Acties", enr_pick_year: "Kies minstens één leerjaar.",
    enr_need_department: "Maak eerst een afdeling aan in dit roosterproject.", enr_manage_projects: "Roosterprojecten beheren",
    enr_none: "geen", enr_count: "{count} afdelingsdeelnames", enr_edit_of: "Wijzigen: {code}",
    enr_prognosis_hint: "0 tot en met 100, bijvoorbeeld 62,5",
  },
  en: {
    enr_schedule_projects: "Schedule projects", enr_learning_paths: "Learning paths", enr_code: "Code", enr_name: "Name",
    enr_school_year: "School year", enr_school_year_hint: "for example 2026-2027",
    enr_add_project: "Add schedule project", enr_departments: "Departments", enr_add_department: "Add department",
    enr_year_of_education: "Year of education", enr_add_learning_path: "Add learning path", enr_element_code: "Element code",
    enr_lwoo_element_code: "LWOO element code", enr_years: "Years of education", enr_educations: "Educations",
    enr_profiles: "Profiles", enr_list_hint: "Separate several values with commas; empty: any.",
    enr_edit: "Edit", enr_save: "Save", enr_cancel: "Cancel", enr_delete: "Delete",
    enr_confirm_yes: "Yes, delete", enr_confirm_project: "Delete schedule project {code} with its departments?",
    enr_confirm_department: "Delete department {code}?", enr_confirm_learning_path: "Delete learning path {code}?",
    enr_confirm_enrollment: "Delete the enrollment of {student}?", enr_saved: "Saved.",
    enr_added: "Added: {code}.", enr_deleted: "Deleted: {code}.",
    enr_read_only: "You can only view this: adding, changing and deleting needs the right enrollments:write (manage enrollments). Ask an application manager for it.",
    enr_no_projects: "There are no schedule projects yet.", enr_no_departments: "This schedule project has no departments yet.",
    enr_no_learning_paths: "There are no learning paths yet.", enr_no_enrollments: "No enrollments found.",
    enr_student: "Student", enr_status_archived: "archived", enr_status_not_a_student: "no longer a student",
    enr_status_hint_archived: "This student is archived and is left out of the placements.",
    enr_status_hint_not_a_student: "This user is no longer a student and is left out of the placements.",
    enr_name_unknown: "no name known", enr_placed: "Placed", enr_excluded: "Left out: archived or no longer a student",
    enr_download_json: "Download placements (JSON)", enr_open_departments: "Departments",
    enr_open_enrollments: "Enrollments", enr_back_to_projects: "All schedule projects",
    enr_project_heading: "Schedule project {code}", enr_actions: "Actions", enr_pick_year: "Choose at least one year.",
    enr_need_department: "First add a department to this schedule project.", enr_manage_projects: "Manage schedule projects",
    enr_none: "none", enr_count: "{count} enrollments", enr_edit_of: "Edit: {code}",
    enr_prognosis_hint: "0 to 100, for example 62.5",
  },
};
Object.assign(TEXTS.nl, ENR_TEXTS.nl);
Object.assign(TEXTS.en, ENR_TEXTS.en);
// ---- end of the enr_ block ----
// ---- users and school functions: the user page, the school functions page, the shell (usr_, sf_) ----
Object.assign(TEXTS.nl, {
  usr_back: "← Alle gebruikers", usr_user: "Gebruiker", usr_details: "Gegevens", usr_types: "Gebruikerstypen",
  usr_type_student: "Leerling", usr_type_employee: "Medewerker", usr_type_family_member: "Ouder/verzorger",
  usr_save: "Opslaan", usr_saved: "Opgeslagen.", usr_nothing_changed: "Er is niets gewijzigd.",
  usr_code_fixed: "De gebruikerscode kan niet worden gewijzigd.",
  usr_password: "Wachtwoord", usr_new_password: "Nieuw wachtwoord", usr_set_password: "Wachtwoord instellen",
  usr_password_set: "Het nieuwe wachtwoord is ingesteld; de gebruiker is overal uitgelogd.",
  usr_has_password: "Er is een wachtwoord ingesteld.", usr_no_password: "Er is nog geen wachtwoord ingesteld.",
  usr_password_hint: "Minstens 8 tekens. Het wachtwoord wordt nooit getoond; geef het de gebruiker zelf door.",
  usr_password_for_sso: "Met inlogmethode SSO of geen wordt een wachtwoord niet gebruikt.",
  usr_functions: "Schoolfuncties", usr_no_functions: "Deze gebruiker heeft geen schoolfuncties.",
  usr_add_function: "Schoolfunctie toevoegen", usr_remove: "Verwijderen", usr_choose_function: "Kies een schoolfunctie",
  usr_student_function: "hoort bij het gebruikerstype leerling",
  usr_function_needs: "u mist", usr_archive_title: "Archiveren",
  usr_archive: "Archiveren", usr_restore: "Terugzetten",
  usr_is_archived: "Deze gebruiker is gearchiveerd: inloggen kan niet en een leerling telt niet mee in de plaatsingen.",
  usr_is_active: "Deze gebruiker is actief. Archiveer een gebruiker die de school heeft verlaten; terugzetten kan altijd.",
  usr_archived_badge: "gearchiveerd", usr_enrollments: "Afdelingsdeelnames",
  usr_no_enrollments: "Deze gebruiker heeft geen afdelingsdeelnames.",
  usr_enrollments_not_student: "Alleen leerlingen hebben afdelingsdeelnames.",
  usr_no_write: "U kunt dit alleen bekijken: wijzigen vraagt het recht ‘gebruikers wijzigen’ (users:write).",
  usr_higher_user: "Wachtwoord, inlogmethode, gebruikerstypen, schoolfuncties en archiveren kunt u bij deze gebruiker niet wijzigen: die heeft rechten die u zelf niet heeft",
  usr_no_add: "Gebruikers toevoegen vraagt het recht ‘gebruikers wijzigen’ (users:write).",
  usr_import: "Gebruikers importeren",
  usr_open: "Openen", usr_not_found: "Deze gebruiker bestaat niet.", usr_as_employee: "Medewerker", usr_as_parent: "Ouder/verzorger",
  usr_types_hint: "Het type leerling geeft meteen de schoolfunctie leerling.",
  sf_title: "Schoolfuncties", sf_intro: "Een schoolfunctie is een set rechten. Gebruikers krijgen de rechten van al hun schoolfuncties samen.",
  sf_builtin_student: "leerling: iedere leerling krijgt deze schoolfunctie vanzelf met het gebruikerstype leerling. Standaard heeft zij geen beheerrechten; een recht dat u hier aanvinkt, krijgt iedere leerling.",
  sf_builtin_manager: "applicatiebeheerder: heeft altijd alle rechten. Die kunnen niet worden uitgezet, zodat er altijd iemand het portal kan beheren; de naam kan wel worden gewijzigd.",
  sf_rights: "Rechten", sf_code: "Code", sf_name: "Naam", sf_rename: "Naam opslaan", sf_create: "Schoolfunctie aanmaken",
  sf_created: "Aangemaakt", sf_saved: "Opgeslagen", sf_manager_fixed: "de applicatiebeheerder heeft altijd alle rechten",
  sf_not_held: "u heeft dit recht zelf niet, en niemand geeft een recht dat hij zelf niet heeft",
  sf_not_held_legend: "Een grijs vakje: u heeft dat recht zelf niet, en niemand geeft of ontneemt een recht dat hij zelf niet heeft.",
  sf_no_write: "U kunt de schoolfuncties alleen bekijken: wijzigen vraagt het recht ‘schoolfuncties wijzigen’ (school_functions:write).",
  sf_count: "Aantal schoolfuncties",
  "sf_right_users:read": "Gebruikers bekijken", "sf_right_users:write": "Gebruikers wijzigen",
  "sf_right_school_functions:write": "Schoolfuncties wijzigen", "sf_right_imports:read": "Imports bekijken",
  "sf_right_imports:write": "Importeren", "sf_right_enrollments:read": "Afdelingsdeelnames bekijken",
  "sf_right_enrollments:write": "Afdelingsdeelnames wijzigen", "sf_right_audit:read": "Logboek bekijken",
  usr_school_year: "Schooljaar",
  usr_higher_user_short: "Niet bij deze gebruiker: die heeft rechten die u zelf niet heeft (zie boven).",
});
Object.assign(TEXTS.en, {
  usr_back: "← All users", usr_user: "User", usr_details: "Details", usr_types: "User types",
  usr_type_student: "Student", usr_type_employee: "Employee", usr_type_family_member: "Parent/guardian",
  usr_save: "Save", usr_saved: "Saved.", usr_nothing_changed: "Nothing was changed.",
  usr_code_fixed: "The user code cannot be changed.",
  usr_password: "Password", usr_new_password: "New password", usr_set_password: "Set password",
  usr_password_set: "The new password is set; the user is logged out everywhere.",
  usr_has_password: "A password is set.", usr_no_password: "No password is set yet.",
  usr_password_hint: "At least 8 characters. The password is never shown; pass it on to the user yourself.",
  usr_password_for_sso: "With login method SSO or none a password is not used.",
  usr_functions: "School functions", usr_no_functions: "This user has no school functions.",
  usr_add_function: "Add school function", usr_remove: "Remove", usr_choose_function: "Choose a school function",
  usr_student_function: "comes with the student type",
  usr_function_needs: "you lack", usr_archive_title: "Archive",
  usr_archive: "Archive", usr_restore: "Restore",
  usr_is_archived: "This user is archived: they cannot log in and a student is left out of the placements.",
  usr_is_active: "This user is active. Archive a user who has left the school; restoring is always possible.",
  usr_archived_badge: "archived", usr_enrollments: "Enrollments",
  usr_no_enrollments: "This user has no enrollments.",
  usr_enrollments_not_student: "Only students have enrollments.",
  usr_no_write: "You can only view this: changing it needs the right ‘change users’ (users:write).",
  usr_higher_user: "You cannot change this user's password, login method, types, school functions or archived flag: they hold rights you do not hold",
  usr_no_add: "Adding users needs the right ‘change users’ (users:write).",
  usr_import: "Import users",
  usr_open: "Open", usr_not_found: "This user does not exist.", usr_as_employee: "Employee", usr_as_parent: "Parent/guardian",
  usr_types_hint: "The student type comes with the school function leerling (student).",
  sf_title: "School functions", sf_intro: "A school function is a set of rights. Users get the rights of all their school functions together.",
  sf_builtin_student: "leerling (student): every student gets this school function with the student type. By default it has no administrative rights; a right you tick here, every student gets.",
  sf_builtin_manager: "applicatiebeheerder (application manager): always has every right. They cannot be switched off, so that someone can always administer the portal; the name can be changed.",
  sf_rights: "Rights", sf_code: "Code", sf_name: "Name", sf_rename: "Save name", sf_create: "Create school function",
  sf_created: "Created", sf_saved: "Saved", sf_manager_fixed: "the application manager always has every right",
  sf_not_held: "you do not hold this right yourself, and nobody grants a right they do not hold",
  sf_not_held_legend: "A grey box: you do not hold that right yourself, and nobody grants or takes a right they do not hold.",
  sf_no_write: "You can only view the school functions: changing them needs the right ‘change school functions’ (school_functions:write).",
  sf_count: "Number of school functions",
  "sf_right_users:read": "View users", "sf_right_users:write": "Change users",
  "sf_right_school_functions:write": "Change school functions", "sf_right_imports:read": "View imports",
  "sf_right_imports:write": "Import", "sf_right_enrollments:read": "View enrollments",
  "sf_right_enrollments:write": "Change enrollments", "sf_right_audit:read": "View audit trail",
  usr_school_year: "School year",
  usr_higher_user_short: "Not for this user: they hold rights you do not hold (see above).",
});
// ---- end of users and school functions ----
// ---- rights: what the console says about a control or page the user's rights do not allow (rt_) ----
Object.assign(TEXTS.nl, {
  rt_needs_right: "Hiervoor is het recht {rights} nodig.",
  rt_needs_rights: "Hiervoor zijn de rechten {rights} nodig.",
  rt_and: "en",
  rt_no_access: "U kunt deze pagina niet bekijken.",
});
Object.assign(TEXTS.en, {
  rt_needs_right: "This needs the right {rights}.",
  rt_needs_rights: "This needs the rights {rights}.",
  rt_and: "and",
  rt_no_access: "You cannot view this page.",
});
// ---- end of rights ----
// ---- the phone's header (header-menu.js): the button the pages fold away behind ----
Object.assign(TEXTS.nl, { menu: "Menu" });
Object.assign(TEXTS.en, { menu: "Menu" });
// ---- end of the phone's header ----
// ---- wj_: the steps between pages of the help page's whole job (a code's typo, what comes next). ----
Object.assign(TEXTS.nl, {
  wj_code_fixed: "De code kan niet worden gewijzigd. Staat er een tikfout in? Verwijder deze afdeling (dat kan zolang geen afdelingsdeelname haar gebruikt) en voeg haar opnieuw toe met de juiste code.",
  wj_project_departments: "afdelingen bekijken of corrigeren",
  wj_next_enrollment: "Volgende stap: een afdelingsdeelname toevoegen",
  wj_choose_file: "Bestand kiezen", wj_no_file: "Geen bestand gekozen",
});
Object.assign(TEXTS.en, {
  wj_code_fixed: "The code cannot be changed. Is there a typo in it? Delete this department (possible while no enrollment uses it) and add it again with the right code.",
  wj_project_departments: "view or correct its departments",
  wj_next_enrollment: "Next step: add an enrollment",
  wj_choose_file: "Choose file", wj_no_file: "No file chosen",
});
// ---- end of wj_ ----
// The shared catalogue (shared/catalogue, served by the gateway): the texts the services and the CLI
// use, by contract code. The services already answer in the console's language (api.js sends it);
// the console reads the catalogue for codes it explains itself.
const CATALOGUES = Object.fromEntries(await Promise.all(["nl", "en"].map(async (lang) => {
  try {
    const response = await fetch(`/console/catalogue/${lang}.json`);
    return [lang, response.ok ? await response.json() : {}];
  } catch {
    return [lang, {}];
  }
})));

let current = "nl";

export function t(key) {
  return TEXTS[current][key] ?? TEXTS.nl[key] ?? catalogueText(key) ?? key;
}

// A code's text in the catalogue with its params filled in, as shared/catalogue does it: a list reads
// "a, b", and a part in [brackets] shows only when its params are known. Null when it has no text.
export function catalogueText(code, params = {}) {
  const template = CATALOGUES[current][code] ?? CATALOGUES.nl[code];
  if (template === undefined) return null;
  const known = (name) => ![undefined, null, ""].includes(params[name]) && !(Array.isArray(params[name]) && !params[name].length);
  const fill = (part) => part.replace(/\{(\w+)\}/g, (whole, name) =>
    known(name) ? (Array.isArray(params[name]) ? params[name].join(", ") : String(params[name])) : whole);
  const names = (part) => [...part.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
  return template.split(/\[([^[\]]*)\]/)
    .map((part, place) => (place % 2 === 0 || names(part).every(known) ? fill(part) : ""))
    .join("");
}

// A text of the console with its {name} placeholders filled in (one without a param stays as written).
export function tf(key, params = {}) {
  return t(key).replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

// A number as the console's language writes it: 1.234 and 62,5 in Dutch, 1,234 and 62.5 in English;
// no value (null, undefined, "") as nothing.
export function formatNumber(value) {
  if (value === null || value === undefined || value === "") return "";
  return new Intl.NumberFormat(current === "nl" ? "nl-NL" : "en-GB", { maximumFractionDigits: 2 }).format(value);
}

export function has(key) {
  return key in TEXTS[current];
}

export function language() {
  return current;
}

export function toggleLanguage() {
  current = current === "nl" ? "en" : "nl";
  document.documentElement.lang = current;
}

// Every moment the console shows is written this one way: "30 nov 2026, 15:18:08" (English
// "30 Nov 2026, 15:18:08"), in the browser's time zone. The API gives UTC with microseconds, which
// Date does not read everywhere, so they are cut to milliseconds first. A text that is no moment stays as it is.
export function formatMoment(at) {
  const moment = new Date(String(at).replace(/(\.\d{3})\d*/, "$1"));
  if (Number.isNaN(moment.getTime())) return String(at);
  return new Intl.DateTimeFormat(current === "nl" ? "nl-NL" : "en-GB", {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).format(moment);
}
