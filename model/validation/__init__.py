"""What the model reproduces that it was not tuned for: stylised facts and their estimators."""
