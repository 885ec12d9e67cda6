// Training panel script.
export {};
