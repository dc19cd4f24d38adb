// The header on a phone: the pages, the language switch and "Uitloggen" fold away behind one "Menu"
// button (a disclosure: the button says with aria-expanded whether #menu-panel is open). Whether the
// button shows at all is style.css's business (a media query), so on a desktop the panel is simply
// part of the header and this state changes nothing there.
const button = () => document.getElementById("menu-button");

export function setMenuOpen(open) {
  button().setAttribute("aria-expanded", String(open));
}

function isOpen() {
  return button().getAttribute("aria-expanded") === "true";
}

// Called once at the start; the header itself is redrawn by app.js on every route.
export function setUpMenu() {
  button().addEventListener("click", () => setMenuOpen(!isOpen()));
  // Choosing a page closes the menu, also the page already shown (its address does not change).
  document.getElementById("nav").addEventListener("click", (event) => {
    if (event.target.closest("a")) setMenuOpen(false);
  });
  // Escape closes it from anywhere; the focus goes back to the button when it was inside the menu,
  // so a keyboard user is not left on an element that has just disappeared.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !isOpen()) return;
    const wasInside = document.getElementById("menu-panel").contains(document.activeElement);
    setMenuOpen(false);
    if (wasInside || document.activeElement === document.body) button().focus();
  });
  // A tap outside the header closes it too, as a menu that stays open over the page would puzzle.
  document.addEventListener("click", (event) => {
    if (isOpen() && !event.target.closest("header")) setMenuOpen(false);
  });
}
