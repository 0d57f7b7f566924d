import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";

// One build runs anywhere: the API's address comes from the server that serves the page.
const config = (await fetch("/config.json").then(
  (r) => r.json(),
  () => ({}),
)) as { apiBaseUrl?: string };
mount(App, {
  target: document.getElementById("app") as HTMLElement,
  props: { apiBaseUrl: config.apiBaseUrl ?? "http://localhost:8000" },
});
