// Swagger UI on the portal's own merged OpenAPI document. A file of its own, not an inline script,
// so the page's Content-Security-Policy can allow scripts from this origin only.
window.ui = SwaggerUIBundle({
  url: "/api/v1/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  // The plain layout: no top bar to load another document, so the page only ever shows this API.
  layout: "BaseLayout",
  presets: [SwaggerUIBundle.presets.apis],
  // No badge fetched from the public validator: the page never reaches another site.
  validatorUrl: null,
  // Keeps "Authorize" in the page's memory only, like the console.
  persistAuthorization: false,
});
