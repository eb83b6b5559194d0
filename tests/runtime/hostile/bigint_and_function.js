// The clone fails on the function before JSON could fail on the BigInt.
export function transformEvent(event) {
  event.big = 5n;
  event.fn = function named() {};
  return event;
}
