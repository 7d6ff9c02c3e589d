// "Lint": every source file must parse (the real backend runs eslint here).
import { readdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
const files = readdirSync("src").filter((f) => f.endsWith(".js"));
for (const file of files) execFileSync(process.execPath, ["--check", `src/${file}`], { stdio: "inherit" });
console.log(`lint: ${files.length} file(s) ok`);
