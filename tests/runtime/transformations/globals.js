const absent = [
  "setTimeout", "setInterval", "require", "process", "Buffer", "URL", "URLSearchParams", "TextEncoder",
  "TextDecoder", "atob", "btoa", "crypto", "structuredClone", "queueMicrotask", "performance", "InternalError",
];
const present = ["fetch", "fetchV2", "geolocation", "getCredential", "log", "extractStackTrace"];
export function transformEvent(event) {
  const types = {};
  for (const name of [...absent, ...present]) types[name] = typeof globalThis[name];
  return {
    types,
    globalIsGlobalThis: global === globalThis,
    consoleLog: typeof console.log + " " + String(console.log("x")),
    groupBy: typeof Object.groupBy,
    setUnion: typeof Set.prototype.union,
    promiseTry: typeof Promise.try,
    regExpEscape: typeof RegExp.escape,
    sumPrecise: typeof Math.sumPrecise,
    chunks: typeof Iterator.prototype.chunks,
  };
}
