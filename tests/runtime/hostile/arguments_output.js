export function transformEvent(event) {
  (function () {
    event.args = arguments;
  })(1, 2);
  return event;
}
