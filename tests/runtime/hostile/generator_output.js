export function transformEvent(event) {
  event.steps = (function* () {})();
  return event;
}
