#!/usr/bin/env dotnet
// The seed's backend deployed as a canary: ECS starts the new revision beside the old one, moves test traffic (the
// load balancer's port 8080) to it, the run smoke-tests /health there, then 10 % of production traffic moves for five
// minutes, then the rest; the CloudWatch alarm truecaller-backend-5xx rolls it back at any time. By default it runs
// against the simulated AWS (--target local); --target aws deploys to your account, with the names and the load
// balancer's ARNs your Terraform outputs give.
//
//   dotnet run samples/deploy-canary.cs
//   dotnet run samples/deploy-canary.cs -- --fault alarm-during-bake     (ECS rolls it back: exit 1)
//   dotnet run samples/deploy-canary.cs -- --wait-until PRODUCTION_TRAFFIC_SHIFT
//   dotnet run samples/deploy-canary.cs -- rollback                       (during the bake: StopServiceDeployment)
#:project ../src/EcsDeploy/EcsDeploy.csproj
#:project ../src/EcsDeploy.Testing/EcsDeploy.Testing.csproj
#:property PublishAot=false

using EcsDeploy;

var scriptDirectory = AppContext.GetData("EntryPointFileDirectoryPath") as string ?? Path.Combine(Directory.GetCurrentDirectory(), "samples");
var backend = Path.Combine(scriptDirectory, "sample-backend");
// --target local: the simulated AWS holds the seed's outputs; --target aws: the state file ECSDEPLOY_TERRAFORM_STATE
// names (samples/local-aws.cs writes one), else `terraform output -json` in ../terraform.
var terraformState = Environment.GetEnvironmentVariable("ECSDEPLOY_TERRAFORM_STATE");

return await Pipeline.FromTerraform("truecaller-backend", t => _ = terraformState is { Length: > 0 }
        ? t.StateFile(terraformState)
        : t.Project(Path.Combine(scriptDirectory, "..", "terraform")))
    .InRegion("eu-central-1")
    .Build(b => b
        .WorkingDirectory(backend)
        .Run("npm", "ci", "--no-audit", "--no-fund")
        .Run("npm", "run", "build")
        .Image("Dockerfile"))
    .Push(p => p.Tags(PushOptions.GitSha, "latest"))
    .Deploy(d => d
        .Container("truecaller-backend")
        .Environment("NODE_ENV", "production")
        .Environment("PORT", "3000")
        .Secret("DATABASE_URL", "truecaller-backend/DATABASE_URL")
        .Secret("REDIS_URL", "truecaller-backend/REDIS_URL")
        .Secret("JWT_SECRET", "truecaller-backend/JWT_SECRET")
        .Secret("GOOGLE_APPLICATION_CREDENTIALS_JSON", "truecaller-backend/GOOGLE_APPLICATION_CREDENTIALS_JSON")
        // 10 % of production traffic for 5 minutes, then all of it.
        .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))
        // The second target group, the listener rules and the role ECS changes them with: Terraform outputs
        // alternate_target_group_arn, production_listener_rule_arn, test_listener_rule_arn, ecs_infrastructure_role_arn.
        .LoadBalancer(lb => lb.FromTerraform())
        // Paused after test traffic moved: /health on the test listener must answer 2xx, else ECS rolls back.
        .TestTraffic(t => t.Http("/health").Port(8080).Deadline(TimeSpan.FromMinutes(2)))
        .RollbackOnAlarms("truecaller-backend-5xx"))
    .Verify(v => v.Http("/health"))
    .RunAsync(args);
