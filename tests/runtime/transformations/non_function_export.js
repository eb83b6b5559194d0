export const transformEvent = 1;
