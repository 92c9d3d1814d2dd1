import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { connectToDemo } from "./connect";
import "./styles.css";

const container = document.getElementById("root");
if (container === null) throw new Error("index.html has no #root");
const root = createRoot(container);

connectToDemo()
  .then((session) =>
    root.render(
      <StrictMode>
        <App session={session} />
      </StrictMode>,
    ),
  )
  .catch((error: unknown) => {
    root.render(
      <p role="alert" className="booting" data-testid="boot-error">
        Could not start: {error instanceof Error ? error.message : String(error)}
      </p>,
    );
  });
