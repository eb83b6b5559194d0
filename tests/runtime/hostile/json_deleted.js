delete globalThis.JSON;
export function transformEvent(event) {
  return event;
}
