Reflect.apply = () => 1;
Function.prototype.call = function () {
  return 1;
};
Function.prototype.apply = function () {
  return 1;
};
export function transformEvent(event) {
  return event;
}
