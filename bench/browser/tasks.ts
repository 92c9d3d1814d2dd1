// Scheduling for the bench pages, which run in Chromium.

/** A macrotask without setTimeout's clamp: what a websocket's message event is. */
const channel = new MessageChannel();
const turns: Array<() => void> = [];
channel.port1.onmessage = () => turns.shift()?.();

export const nextTask = (callback: () => void): void => {
  turns.push(callback);
  channel.port2.postMessage(undefined);
};

/**
 * About 1 ms later, in a task of its own: a timer set from a message task has no nesting, so Chromium does not clamp
 * it to 4 ms as it would a chain of timers.
 */
export const afterOneMs = (callback: () => void): void => {
  setTimeout(() => nextTask(callback), 1);
};
