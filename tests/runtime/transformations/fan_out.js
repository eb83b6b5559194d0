export function transformEvent(event) {
  if (event.event === "fan") return [event, { ...event, event: "copy" }];
  if (event.event === "bad") return [event, "not an object"];
  if (event.event === "holes") return [event, , event]; // eslint-disable-line no-sparse-arrays
  return event;
}
