/**
 * What `custody verify` needs, and nothing of the server: Node's platform for `verifyBundle` and the threaded leaf
 * checker. A subpath of its own (`@custody/core/verify`) so that verifying a bundle loads no database, HTTP or
 * logging code (the command starts in a fraction of the time the whole CLI takes).
 */
export { createThreadedLeafChecker, defaultCheckerThreads, defaultVerifyThreads } from './leaf-checker-thread';
export type { TThreadedLeafChecker } from './leaf-checker-thread';
export { nodeVerifyOptions, openFileSource } from './bundle-node';
export type { TFileSource } from './bundle-node';
