Promise.all = () => new Promise(() => {});
export function transformEvent(event) {
  return event;
}
