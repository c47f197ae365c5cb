// In tests, response bodies are read as untyped JSON and checked by assertions rather than by the compiler.
export {};
declare global {
  interface Response {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    json(): Promise<any>;
  }
}
