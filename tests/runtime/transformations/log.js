export function transformEvent(event) {
  log("seen", 1, { a: 1 }, null, undefined);
  return event;
}
