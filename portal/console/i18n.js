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
    audit_user: "Gebruiker", audit_action: "Actie", all_actions: "Alle acties", audit_at: "Tijdstip",
    audit_target: "Betreft", audit_client: "Adres", per_page: "Per pagina", filter: "Filteren",
    no_entries: "Geen regels gevonden.", system: "systeem", fields: "velden",
    "action_auth.login": "ingelogd", "action_auth.login_failed": "inloggen mislukt",
    "action_user.created": "gebruiker aangemaakt", "action_user.updated": "gebruiker gewijzigd",
    "action_school_function.created": "schoolfunctie aangemaakt", "action_school_function.updated": "schoolfunctie gewijzigd",
    "action_import.started": "import gestart", "action_import.cancelled": "import geannuleerd",
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
    audit_user: "User", audit_action: "Action", all_actions: "All actions", audit_at: "Time",
    audit_target: "Subject", audit_client: "Address", per_page: "Per page", filter: "Filter",
    no_entries: "No entries found.", system: "system", fields: "fields",
    "action_auth.login": "logged in", "action_auth.login_failed": "login failed",
    "action_user.created": "user created", "action_user.updated": "user changed",
    "action_school_function.created": "school function created", "action_school_function.updated": "school function changed",
    "action_import.started": "import started", "action_import.cancelled": "import cancelled",
    "action_import.completed": "import completed", "action_enrollment.created": "enrollment added",
    "action_enrollment.deleted": "enrollment deleted",
    "action_enrollment.updated": "enrollment changed",
    "action_schedule_project.updated": "schedule project changed", "action_schedule_project.deleted": "schedule project deleted",
    "action_department.updated": "department changed", "action_department.deleted": "department deleted",
    "action_learning_path.updated": "learning path changed", "action_learning_path.deleted": "learning path deleted",
  },
};

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
