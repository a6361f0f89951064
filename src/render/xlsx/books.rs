//! The plan as the per-rep and per-period workbooks read it: each metric's
//! line of each rep, the reps with a plan (in reps-file order and by team),
//! and the formats every such workbook uses.

use crate::engine::layout::Line;
use crate::render::plan_book::PlanBook;
use crate::render::rep_lines::lines_by_rep;
use crate::render::xlsx::style::{Figures, Styles};

/// The plan as the per-rep and per-period workbooks read it.
pub struct Books<'a> {
    pub(crate) book: &'a PlanBook<'a>,
    /// Per metric (in `book.lines` order): input rep index → the rep's line.
    pub(crate) by_rep: Vec<Vec<Option<&'a Line>>>,
    /// Reps with a plan, in reps-file order.
    pub(crate) planned: Vec<usize>,
    /// The same reps grouped by team, teams in order of first appearance.
    pub(crate) grouped: Vec<usize>,
    /// The formats every workbook uses, made once.
    pub(crate) styles: Styles,
    /// Per metric (in `book.lines` order): its figures' formats.
    pub(crate) figures: Vec<Figures>,
}

impl<'a> Books<'a> {
    /// Indexes the plan's lines by rep.
    pub fn new(book: &'a PlanBook<'a>) -> Self {
        let reps = &book.input.reps;
        let by_rep = lines_by_rep(book.lines, reps.len());
        let planned: Vec<usize> = (0..reps.len())
            .filter(|&r| by_rep.iter().any(|of| of[r].is_some()))
            .collect();
        let mut grouped = planned.clone();
        grouped.sort_by_key(|&r| book.teams.iter().position(|t| *t == reps[r].team_key));
        let figures = book
            .lines
            .iter()
            .map(|ml| Figures::of(&book.input.metrics[ml.metric], book.currency))
            .collect();
        Books {
            book,
            by_rep,
            planned,
            grouped,
            styles: Styles::default(),
            figures,
        }
    }

    /// The plan these workbooks show.
    pub fn book(&self) -> &PlanBook<'a> {
        self.book
    }

    /// Reps with a plan (in some metric), in reps-file order: those with a workbook.
    pub fn planned(&self) -> &[usize] {
        &self.planned
    }

    /// The metrics (indices into `book.lines`) rep `r` has a plan in, with its lines.
    pub(crate) fn lines_of(&self, r: usize) -> impl Iterator<Item = (usize, &'a Line)> + '_ {
        self.by_rep
            .iter()
            .enumerate()
            .filter_map(move |(i, of)| of[r].map(|line| (i, line)))
    }
}
