/** Tasks that run when the page has nothing more urgent to do, and can all be called off. */
export interface BackgroundTasks {
  /** Run `run` in a task of its own: behind everything else, or `urgent` as an ordinary task (something waits on it). */
  post(run: () => void, urgent?: boolean): void;
  /** Call off every task posted and not yet run. */
  cancel(): void;
}

interface TaskScheduler {
  postTask(run: () => void, options: { priority: "background" | "user-visible"; signal?: AbortSignal }): Promise<unknown>;
}

/**
 * `scheduler.postTask` at background priority where the browser has it (Chromium, Firefox): behind input, rendering
 * and the engine's own slices. Elsewhere a timer (a task like any other).
 */
export function backgroundTasks(): BackgroundTasks {
  const scheduler = (globalThis as { scheduler?: Partial<TaskScheduler> }).scheduler;
  if (typeof scheduler?.postTask === "function" && typeof AbortController === "function") {
    const postTask = scheduler.postTask.bind(scheduler);
    let controller = new AbortController();
    return {
      post(run, urgent = false) {
        // Aborted tasks reject: that is the cancel, not a failure.
        postTask(run, { priority: urgent ? "user-visible" : "background", signal: controller.signal }).catch(() => undefined);
      },
      cancel() {
        controller.abort();
        controller = new AbortController();
      },
    };
  }
  const timers = new Set<ReturnType<typeof setTimeout>>();
  return {
    post(run) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        run();
      }, 0);
      timers.add(timer);
    },
    cancel() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
