Console.WriteLine(string.Join("\n", Samples.Sentiment.SentimentCorpus.Generate(12, 1).Select(e => $"{(e.Label ? 1 : 0)}\t{e.Text}")));
