[assembly: EcsDeploy.Hosting.DeploymentTarget("local", typeof(EcsDeploy.Testing.LocalTarget))]
