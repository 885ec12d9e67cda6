// Trainer child process entry (see src/protocol.ts for the messages it sends).
export {};
