Array.prototype.map = function () {
  return [];
};
export function transformEvent(event) {
  return event;
}
