// What differs between the tmux releases users run, in one place.
// 3.2: -N (don't start a server), hooks fire on every client loss, #{current_file}, source-file -.
// 3.3: destroy-unattached crashed the server here in 4 of 12 detach runs.
// 3.4: destroy-unattached gained keep-group (crash reports). 3.5: run-shell uses default-shell,
// which is why hookCommand() holds only quoted words. None of our commands read #{hook_client}.

export interface Check {
  name: string
  ok: boolean
  detail: string
  /** the command that fixes it */
  fix?: string
}

/** "tmux 3.3a" → 3.3; "tmux next-3.6" → 3.6; unknown → null. */
export function tmuxVersion(text: string): number | null {
  const m = /(\d+)\.(\d+)/.exec(text)
  return m ? Number(`${m[1]}.${m[2]}`) : null
}

/** The known hazards of a tmux version and its destroy-unattached setting (pure). */
export function hazards(version: number | null, destroyUnattached: string): Check[] {
  const out: Check[] = []
  if (version !== null && version < 3.2)
    out.push({ name: 'tmux version', ok: false, detail: `tmux ${version} may not fire client-detached when a client dies; tmux-views needs 3.2 or newer`, fix: 'upgrade tmux, and run sweep from a timer meanwhile' })
  if (destroyUnattached !== 'off' && destroyUnattached !== '') {
    const why = version !== null && version < 3.4
      ? `crashed tmux ${version} here in 4 of 12 detach runs, and `
      : destroyUnattached === 'keep-group' ? 'keep-group has crash reports, and ' : ''
    out.push({ name: 'destroy-unattached', ok: false, detail: `destroy-unattached is '${destroyUnattached}': it ${why}kills programs when a view outlives its parent; tmux-views does this job safely`, fix: 'tmux set-option -g destroy-unattached off' })
  }
  return out
}
