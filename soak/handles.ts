/**
 * What keeps the process alive besides Node's own: `process.getActiveResourcesInfo()` lists
 * ref'ed timers, sockets, pipes and the like. Node itself lists a `PipeWrap` or `TTYWrap` for
 * stdout and stderr once they are used (nothing else for a bare script), so the baseline is
 * taken after touching both.
 */
export function resourceBaseline(): string[] {
  void process.stdout;
  void process.stderr;
  return process.getActiveResourcesInfo();
}

/** The resources active now that the baseline did not have (a multiset difference). */
export function resourcesBeyond(baseline: readonly string[]): string[] {
  const left = [...baseline];
  return process.getActiveResourcesInfo().filter((resource) => {
    const i = left.indexOf(resource);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}
