// The seed pipeline (samples/deploy.cs without the npm commands and Verify, whose load balancer needs a proxy) as a program that a test starts and kills.
// Usage: EcsDeploy.DeployProcess <build-context-folder> [script host options...]
using EcsDeploy;

var context = args[0];
return await Pipeline.For("truecaller-backend")
    .InRegion("eu-central-1")
    .OnCluster("truecaller-backend-cluster")
    .Build(b => b.WorkingDirectory(context).Image("Dockerfile"))
    .Push()
    .Migrate(m => m.Prisma())
    .WithOllama(o => o.Model("llama3.2:1b").Timeout(TimeSpan.FromSeconds(30)))
    .Deploy(d => d
        .Service("truecaller-backend-service")
        .Container("truecaller-backend")
        .Environment("NODE_ENV", "production")
        .Environment("PORT", "3000")
        .Secret("DATABASE_URL", "truecaller-backend/DATABASE_URL")
        .Secret("REDIS_URL", "truecaller-backend/REDIS_URL")
        .Secret("JWT_SECRET", "truecaller-backend/JWT_SECRET")
        .Secret("GOOGLE_APPLICATION_CREDENTIALS_JSON", "truecaller-backend/GOOGLE_APPLICATION_CREDENTIALS_JSON"))
    .RunAsync(args[1..]);
