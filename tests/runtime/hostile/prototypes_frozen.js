Object.freeze(Object.prototype);
Object.freeze(Array.prototype);
export function transformEvent(event) {
  return [event, { ...event, copy: true }];
}
