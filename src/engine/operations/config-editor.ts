import type { ConfigSession } from '../config/session.js';

/**
 * What a configuration operation needs: a session's pending configuration and its edit. A command
 * context is one; `inOneEdit` makes another, so that a web form applies several operations as one
 * edit (all or nothing: a form with one bad field changes nothing).
 */
export interface ConfigEditor {
  session: { config: Pick<ConfigSession, 'edit' | 'pending'> };
}

/** Runs operations on one draft of the session's configuration, kept only if all succeed and it validates. */
export function inOneEdit(config: ConfigSession, work: (editor: ConfigEditor) => void): void {
  config.edit((draft) => {
    const editor: ConfigEditor = { session: { config: { pending: draft, edit: (mutate) => mutate(draft) } } };
    work(editor);
  });
}
