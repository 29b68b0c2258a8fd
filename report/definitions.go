package report

// definitions holds a one-line definition of each metric of the summary
// table, by its row name.
var definitions = map[string]string{
	"f1_samples":        "F1 of each image's predicted tags against its true tags, averaged over images.",
	"f2_samples":        "As f1_samples with F2, which weighs recall more than precision (Kaggle Planet's score).",
	"precision_samples": "Share of each image's predicted tags that are true, averaged over images.",
	"recall_samples":    "Share of each image's true tags that are predicted, averaged over images.",
	"f1_micro":          "F1 of all (image, label) decisions pooled together: frequent labels count most.",
	"f2_micro":          "As f1_micro with F2.",
	"precision_micro":   "Share of all predicted tags that are true.",
	"recall_micro":      "Share of all true tags that are predicted.",
	"f1_macro":          "F1 of each label, averaged over labels: rare labels count as much as frequent ones.",
	"f1_weighted":       "F1 of each label, averaged with weights equal to the label's support.",
	"hamming_loss":      "Share of (image, label) decisions that are wrong; lower is better.",
	"subset_accuracy":   "Share of images whose predicted tag set is exactly the true set.",
	"jaccard_samples":   "Intersection over union of predicted and true tags, averaged over images.",
	"jaccard_micro":     "Intersection over union of all predicted and true tags pooled.",
	"jaccard_macro":     "Intersection over union per label, averaged over labels.",
	"map_macro":         "Average precision (area under the precision-recall curve) per label, averaged over labels; independent of thresholds.",
	"map_micro":         "Average precision of all (image, label) scores pooled; independent of thresholds.",
	"roc_auc_macro":     "Area under the ROC curve per label, averaged: the chance a positive outscores a negative.",
	"lrap":              "Label ranking average precision: how high each image's true labels rank among its scores.",
	"ranking_loss":      "Share of (true, false) label pairs of an image ranked the wrong way round; lower is better.",
	"coverage_error":    "How far down an image's ranked labels one must go to cover all its true labels; lower is better.",
	"ndcg":              "Normalised discounted cumulative gain of each image's label ranking, averaged.",
}
