/**
 * The viewer session: the engine (in its Worker), the bundles opened from the host, the trusted keys, the recent
 * files and the case file. Everything the screens do goes through here, and everything here goes through
 * `ViewerApi` (the host) or the engine client: the renderer has no other way out.
 *
 * Case file: one per session, written beside the FIRST bundle opened (`<bundle>.custody-case.json`; browsers keep
 * it in storage and offer download/upload). It is loaded when that bundle opens and saved shortly after every
 * change the examiner makes (annotations, saved views, exports, reports, trusted keys).
 */
import { useCallback, useEffect, useRef, useState } from 'react';

import type { TSourceState } from '@custody/ui';

import type { TOpenedFile, TPlatformInfo, TRecentFile, TTrustedKey, ViewerApi } from '../../shared/ipc-contract';
import { createEngineClient } from '../../web/engine-client';
import type { TEngineClient } from '../../web/engine-client';
import { describeError } from './describe-error';

/** A bundle of the session and the host file it was opened from. */
export interface TSessionBundle {
  readonly bundleId: string;
  readonly file: TOpenedFile;
}

/** Where the case file stands. */
export interface TCaseFileStatus {
  readonly location: string | null;
  readonly state: 'none' | 'loaded' | 'saving' | 'saved' | 'error';
  readonly message: string | null;
  /** The reviewer action log of a loaded case file did not verify (entries edited, removed or reordered). */
  readonly logProblems: readonly string[];
}

/** A short message for the examiner. */
export interface TNotice {
  readonly id: number;
  readonly kind: 'info' | 'success' | 'error';
  readonly text: string;
}

export interface TViewerSession {
  readonly api: ViewerApi;
  readonly engine: TEngineClient;
  readonly platform: TPlatformInfo | null;
  readonly state: TSourceState;
  readonly bundles: readonly TSessionBundle[];
  readonly trustedKeys: readonly TTrustedKey[];
  readonly recent: readonly TRecentFile[];
  readonly caseFile: TCaseFileStatus;
  readonly notices: readonly TNotice[];
  /** Bumped when a bundle's phase or verdict changes or a bundle closes: views are re-materialized then. */
  readonly revision: number;
  readonly openWithDialog: () => Promise<void>;
  readonly openUserFiles: (files: readonly File[]) => Promise<void>;
  readonly openRecent: (recent: TRecentFile) => Promise<void>;
  readonly closeAll: () => Promise<void>;
  readonly closeBundle: (bundleId: string) => Promise<void>;
  readonly trustKey: (vkey: string, label: string) => Promise<void>;
  readonly untrustKey: (vkey: string) => Promise<void>;
  /** Something the case file records happened: save it soon. */
  readonly changed: () => void;
  readonly importCaseFile: () => Promise<void>;
  readonly exportCaseFile: () => Promise<void>;
  readonly notify: (kind: TNotice['kind'], text: string) => void;
  readonly dismiss: (id: number) => void;
}

const SAVE_DELAY_MS = 400;

/** Creates and runs the session over `api`. */
export function useViewerSession(api: ViewerApi): TViewerSession {
  // One engine Worker for the page's lifetime (not torn down by StrictMode's simulated unmount).
  const [engine] = useState(() => createEngineClient(api));

  const [platform, setPlatform] = useState<TPlatformInfo | null>(null);
  const [state, setState] = useState<TSourceState>({ bundles: [], rows: 0 });
  const [bundles, setBundles] = useState<readonly TSessionBundle[]>([]);
  const [trustedKeys, setTrustedKeys] = useState<readonly TTrustedKey[]>([]);
  const [recent, setRecent] = useState<readonly TRecentFile[]>([]);
  const [caseFile, setCaseFile] = useState<TCaseFileStatus>({ location: null, state: 'none', message: null, logProblems: [] });
  const [notices, setNotices] = useState<readonly TNotice[]>([]);
  const [revision, setRevision] = useState(0);

  const primary = useRef<TOpenedFile | null>(null);
  const saveTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const noticeId = useRef(0);
  /** Resolves once the stored trusted keys are in the engine: no bundle opens before. */
  const ready = useRef<Promise<void> | null>(null);

  const notify = useCallback((kind: TNotice['kind'], text: string) => {
    const id = ++noticeId.current;
    setNotices((list) => [...list.slice(-3), { id, kind, text }]);
    if (kind !== 'error') setTimeout(() => setNotices((list) => list.filter((n) => n.id !== id)), 6000);
  }, []);
  const dismiss = useCallback((id: number) => setNotices((list) => list.filter((n) => n.id !== id)), []);

  const refreshRecent = useCallback(async () => {
    setRecent(await api.listRecentFiles());
  }, [api]);

  // Start: platform, trusted keys (into the engine), recent files, files the host was asked to open.
  useEffect(() => {
    let live = true;
    ready.current = (async () => {
      const [info, keys] = await Promise.all([api.getPlatform(), api.listTrustedKeys()]);
      if (!live) return;
      setPlatform(info);
      setTrustedKeys(keys);
      for (const key of keys) await engine.trustKey(key.vkey);
    })().catch((error: unknown) => notify('error', `Could not start: ${describeError(error)}`));
    void refreshRecent().catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api, engine, notify, refreshRecent]);

  // The engine's state: loading progress, verification, signers. Views are re-materialized when a phase or a
  // verdict changes (row statuses change with it); growth while rows stream in is paced by the workspace.
  const lastPhases = useRef('');
  useEffect(
    () =>
      engine.subscribe((next) => {
        setState(next);
        const phases = next.bundles.map((b) => `${b.bundleId}:${b.phase}:${b.verdict}`).join(',');
        if (phases !== lastPhases.current) {
          lastPhases.current = phases;
          setRevision((r) => r + 1);
        }
      }),
    [engine],
  );

  const saveNow = useCallback(async () => {
    const target = primary.current;
    if (target === null) return;
    setCaseFile((c) => ({ ...c, state: 'saving' }));
    try {
      const text = await engine.caseFile();
      const result = await api.saveCaseFile(target.handle, text);
      setCaseFile((c) => ({ ...c, state: 'saved', location: result?.location ?? c.location, message: null }));
    } catch (error) {
      setCaseFile((c) => ({ ...c, state: 'error', message: describeError(error) }));
      notify('error', `The case file was not saved: ${describeError(error)}`);
    }
  }, [api, engine, notify]);

  const changed = useCallback(() => {
    if (saveTimer.current !== undefined) clearTimeout(saveTimer.current);
    saveTimer.current = setTimeout(() => void saveNow(), SAVE_DELAY_MS);
  }, [saveNow]);

  const openOpened = useCallback(
    async (files: readonly TOpenedFile[]) => {
      await ready.current;
      for (const file of files) {
        try {
          const bundleId = await engine.openBundle(file, {});
          setBundles((list) => [...list, { bundleId, file }]);
          if (primary.current === null) {
            primary.current = file;
            const stored = await api.loadCaseFile(file.handle);
            if (stored === null) {
              setCaseFile({ location: null, state: 'none', message: null, logProblems: [] });
            } else {
              const verification = await engine.loadCaseFile(stored.text);
              setCaseFile({ location: stored.location, state: 'loaded', message: null, logProblems: verification.problems.map((p) => `entry ${p.index}: ${p.message}`) });
              if (!verification.valid) notify('error', 'The case file’s action log does not verify: it was edited outside the viewer.');
            }
          }
        } catch (error) {
          notify('error', `${file.name}: ${describeError(error)}`);
          await api.closeFile(file.handle).catch(() => undefined);
        }
      }
      await refreshRecent().catch(() => undefined);
    },
    [api, engine, notify, refreshRecent],
  );

  const openWithDialog = useCallback(async () => {
    try {
      await openOpened(await api.openFiles());
    } catch (error) {
      notify('error', describeError(error));
    }
  }, [api, notify, openOpened]);

  const openUserFiles = useCallback(
    async (files: readonly File[]) => {
      if (files.length === 0) return;
      try {
        await openOpened(await api.openUserFiles(files));
      } catch (error) {
        notify('error', describeError(error));
      }
    },
    [api, notify, openOpened],
  );

  const openRecent = useCallback(
    async (file: TRecentFile) => {
      try {
        const opened = await api.openRecentFile(file.id);
        if (opened === null) {
          notify('info', `Choose ${file.name} again: this browser cannot reopen it by itself.`);
          await openOpened(await api.openFiles());
        } else {
          await openOpened([opened]);
        }
      } catch (error) {
        notify('error', describeError(error));
      }
    },
    [api, notify, openOpened],
  );

  // Files from the host: the command line (pending at start) and later ones (menu → Open Recent, second instance).
  useEffect(() => {
    void api.takePendingFiles().then((files) => (files.length > 0 ? openOpened(files) : undefined), () => undefined);
    return api.onFilesOpened((files) => void openOpened(files));
  }, [api, openOpened]);

  const closeBundle = useCallback(
    async (bundleId: string) => {
      const entry = bundles.find((b) => b.bundleId === bundleId);
      await engine.closeBundle(bundleId);
      if (entry !== undefined) await api.closeFile(entry.file.handle).catch(() => undefined);
      setBundles((list) => list.filter((b) => b.bundleId !== bundleId));
      setRevision((r) => r + 1);
    },
    [api, bundles, engine],
  );

  const closeAll = useCallback(async () => {
    if (saveTimer.current !== undefined) {
      clearTimeout(saveTimer.current);
      saveTimer.current = undefined;
      await saveNow();
    }
    for (const entry of bundles) {
      await engine.closeBundle(entry.bundleId).catch(() => undefined);
      await api.closeFile(entry.file.handle).catch(() => undefined);
    }
    setBundles([]);
    primary.current = null;
    setCaseFile({ location: null, state: 'none', message: null, logProblems: [] });
    setRevision((r) => r + 1);
  }, [api, bundles, engine, saveNow]);

  const trustKey = useCallback(
    async (vkey: string, label: string) => {
      try {
        setTrustedKeys(await api.trustKey(vkey, label));
        await engine.trustKey(vkey);
        notify('success', 'Key trusted: the bundles it signed are being verified again.');
        changed();
      } catch (error) {
        notify('error', `The key was not trusted: ${describeError(error)}`);
      }
    },
    [api, changed, engine, notify],
  );

  const untrustKey = useCallback(
    async (vkey: string) => {
      setTrustedKeys(await api.untrustKey(vkey));
      notify('info', 'The key is no longer trusted. Reopen bundles to verify them without it.');
    },
    [api, notify],
  );

  const importCaseFile = useCallback(async () => {
    try {
      const file = await api.importCaseFile();
      if (file === null) return;
      const verification = await engine.loadCaseFile(file.text);
      setCaseFile((c) => ({ ...c, state: 'loaded', logProblems: verification.problems.map((p) => `entry ${p.index}: ${p.message}`) }));
      notify(verification.valid ? 'success' : 'error', verification.valid ? `Case file loaded from ${file.location}.` : 'Case file loaded, but its action log does not verify.');
      changed();
    } catch (error) {
      notify('error', `The case file was not loaded: ${describeError(error)}`);
    }
  }, [api, changed, engine, notify]);

  const exportCaseFile = useCallback(async () => {
    try {
      const name = primary.current?.name ?? 'custody';
      const result = await api.exportCaseFile(name, await engine.caseFile());
      if (result !== null) notify('success', `Case file saved: ${result.location}`);
    } catch (error) {
      notify('error', describeError(error));
    }
  }, [api, engine, notify]);

  return {
    api, engine, platform, state, bundles, trustedKeys, recent, caseFile, notices, revision,
    openWithDialog, openUserFiles, openRecent, closeAll, closeBundle, trustKey, untrustKey, changed, importCaseFile, exportCaseFile, notify, dismiss,
  };
}
