// The review page: a link to "#units-<code>" opens the list of units behind that figure.
function openUnits(hash) {
  if (!hash || !hash.startsWith("#units-")) return;
  const details = document.getElementById(hash.slice(1));
  if (details && details.tagName === "DETAILS") {
    details.open = true;
    details.scrollIntoView({ block: "start" });
  }
}
document.addEventListener("click", (event) => {
  const link = event.target.closest('a[href^="#units-"]');
  if (link) openUnits(link.getAttribute("href"));
});
window.addEventListener("DOMContentLoaded", () => openUnits(window.location.hash));
