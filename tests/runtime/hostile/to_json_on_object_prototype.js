Object.prototype.toJSON = function () {
  return { forged: true };
};
export function transformEvent(event) {
  return event;
}
