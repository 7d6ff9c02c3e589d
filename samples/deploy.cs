#!/usr/bin/env dotnet
// The seed's deploy pipeline as a C# script: build and test, migrate, find Ollama, push to ECR (scanned, last 10 kept), render the
// task definition, deploy with the circuit breaker, verify. By default it runs against the simulated AWS
// (--target local); --target aws deploys to your account, with the names your Terraform outputs give.
//
//   dotnet run samples/deploy.cs
//   dotnet run samples/deploy.cs -- --dry-run
//   dotnet run samples/deploy.cs -- --fault unhealthy-tasks --output json
//   dotnet run samples/deploy.cs -- --deploy-ollama --output json   (the Ollama image and revision first, then the backend)
//   dotnet run samples/deploy.cs -- --fault critical-vulnerability   (the scan gate stops the run: exit 1)
//   dotnet run samples/deploy.cs -- --print-iam-policy --account-id 123456789012
//   dotnet run samples/deploy.cs -- --emit-workflows .
#:project ../src/EcsDeploy/EcsDeploy.csproj
#:project ../src/EcsDeploy.Testing/EcsDeploy.Testing.csproj
#:project ../src/EcsDeploy.Terminal/EcsDeploy.Terminal.csproj
#:property PublishAot=false

using EcsDeploy;

var scriptDirectory = AppContext.GetData("EntryPointFileDirectoryPath") as string ?? Path.Combine(Directory.GetCurrentDirectory(), "samples");
var backend = Path.Combine(scriptDirectory, "sample-backend");
// The names (cluster, services, ECR repositories, the Ollama load balancer) come from the seed's Terraform outputs.
// --target local: the simulated AWS holds them. --target aws: the state file ECSDEPLOY_TERRAFORM_STATE names
// (samples/local-aws.cs writes one and prints the export line), else `terraform output -json` in ../terraform.
var terraformState = Environment.GetEnvironmentVariable("ECSDEPLOY_TERRAFORM_STATE");

return await Pipeline.FromTerraform("truecaller-backend", t => _ = terraformState is { Length: > 0 }
        ? t.StateFile(terraformState)
        : t.Project(Path.Combine(scriptDirectory, "..", "terraform")))
    .InRegion("eu-central-1")
    .Build(b => b
        .WorkingDirectory(backend)
        .Run("npm", "ci", "--no-audit", "--no-fund")
        .Run("npm", "run", "build")
        .Run("npm", "run", "lint")
        // The builder is picked automatically (docker with a daemon, else buildah, else in-process). On the local
        // target the in-process builder runs and does not fetch node:20-alpine (nothing beyond 127.0.0.1 is reached):
        // the plan and a warning say the image holds the application layer only. --target aws fetches the base.
        .Image("Dockerfile"))
    .Push(p => p
        .Tags(PushOptions.GitSha, "latest")
        .ScanGate(ScanSeverity.Critical)   // scan on push; no CRITICAL finding may reach Migrate or Deploy
        .KeepLastImages(10))               // the seed's ECR lifecycle policy: keep the last 10 images
    .Migrate(m => m.Prisma())
    .WithOllama(o => o
        .Model("llama3.2:1b")
        .Timeout(TimeSpan.FromSeconds(30))
        // --deploy-ollama builds samples/ollama: Dockerfile (model baked in) with docker or buildah, Dockerfile.pull
        // (the entrypoint pulls the model at start) with the daemonless builder; the plan says which.
        .Image(Path.Combine(scriptDirectory, "ollama")))
    .Deploy(d => d
        .Container("truecaller-backend")
        .Environment("NODE_ENV", "production")
        .Environment("PORT", "3000")
        .Secret("DATABASE_URL", "truecaller-backend/DATABASE_URL")
        .Secret("REDIS_URL", "truecaller-backend/REDIS_URL")
        .Secret("JWT_SECRET", "truecaller-backend/JWT_SECRET")
        .Secret("GOOGLE_APPLICATION_CREDENTIALS_JSON", "truecaller-backend/GOOGLE_APPLICATION_CREDENTIALS_JSON")
        .RollbackOnFailure()
        .LogRetention(days: 7))
    .Verify(v => v.Http("/health").Ollama())
    .RunAsync(args);
