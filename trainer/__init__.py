"""Qt-free core of fmgen: data, models, training loop, checkpoints, metrics and the CLI.

Packages by role, bottom to top. Each imports only packages below it (`a | b`: siblings that
do not import each other); pyproject's [tool.importlinter] contracts check it in `make lint`.

    L9  cli          fmgen-train, -evaluate, -sample, -sweep; the arguments' checks
    L8  report       report options, verdicts, interpretation, run descriptions
    L7  evaluation   evaluate runs: results, metrics.json writer, calibration, sweep points
    L6  training | sampling
                     the loop, meters, console | sample grids, explorer paths, chain frames
    L5  runs | metrics
                     run folders, checkpoints, status, index | classifier, FID & co, ELBO terms
    L4  learners     one learner per model: networks + optimizers + step + evaluation
    L3  config       RunConfig and the settings' checks, device, precision
    L2  registry     one ModelSpec per model; the entries imported explicitly
    L1  models | data
                     the networks, bits/dim | Fashion-MNIST files, splits, epoch order
    L0  common       errors, atomic files, events, metric keys, words, grids, pixels

`__main__` (python -m trainer) runs fmgen-train. docs/architecture.md draws the data flow and
lists the files to touch to add a model, a setting, a metric, a command or a tab.
"""

__version__ = "0.1.0"
