// Placeholder until the WebAssembly kernels land: the build step exists so `npm run build` is stable.
