using TorchSharp;
public class SmokeTests { [Fact] public void Ones() => Assert.Equal(6f, torch.ones(2, 3).sum().item<float>()); }
