// The React entry "torii-sync-guard". The React bindings arrive with the SDK issue; until then it re-exports the engine.
export * from "./core/index";
