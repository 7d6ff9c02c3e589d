// "Compile": copy src/ to dist/ (the real backend runs tsc here).
import { cpSync, rmSync } from "node:fs";
rmSync("dist", { recursive: true, force: true });
cpSync("src", "dist", { recursive: true });
console.log("built dist/");
