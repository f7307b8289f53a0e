//! What a trial records: per-period metrics (organisation totals, `periods.csv`), whole-trial
//! outcomes (`summary.csv`) and the running totals of days behind them.

/// Per-period metrics of one strategy (organisation totals), in `periods.csv` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodMetric {
    /// Outstanding debt at the end of the period, engineer-days.
    Debt,
    /// Fraction of nominal capacity lost to debt (capacity-weighted).
    Drag,
    /// Engineers at work (after ramp-up, attrition and events).
    Engineers,
    /// K: capacity before drag.
    NominalCapacity,
    /// C: capacity after drag and boosts.
    EffectiveCapacity,
    /// Number of incidents.
    Incidents,
    /// Days of unplanned incident work.
    IncidentDays,
    /// Days of unplanned work from risks that struck.
    RiskDays,
    /// Days spent on product initiatives.
    ProductDays,
    /// Days spent on tech initiatives.
    TechDays,
    /// Days spent paying down debt.
    PaydownDays,
    /// Days nobody had work for.
    IdleDays,
    /// The blended score if judged now (key results past their deadline stay as judged).
    BlendedScore,
}

impl PeriodMetric {
    /// Every metric, in output order.
    pub const ALL: [PeriodMetric; 13] = [
        PeriodMetric::Debt,
        PeriodMetric::Drag,
        PeriodMetric::Engineers,
        PeriodMetric::NominalCapacity,
        PeriodMetric::EffectiveCapacity,
        PeriodMetric::Incidents,
        PeriodMetric::IncidentDays,
        PeriodMetric::RiskDays,
        PeriodMetric::ProductDays,
        PeriodMetric::TechDays,
        PeriodMetric::PaydownDays,
        PeriodMetric::IdleDays,
        PeriodMetric::BlendedScore,
    ];

    /// Name in `periods.csv`.
    pub fn name(self) -> &'static str {
        match self {
            PeriodMetric::Debt => "debt",
            PeriodMetric::Drag => "drag",
            PeriodMetric::Engineers => "engineers",
            PeriodMetric::NominalCapacity => "nominal_capacity",
            PeriodMetric::EffectiveCapacity => "effective_capacity",
            PeriodMetric::Incidents => "incidents",
            PeriodMetric::IncidentDays => "incident_days",
            PeriodMetric::RiskDays => "risk_days",
            PeriodMetric::ProductDays => "product_days",
            PeriodMetric::TechDays => "tech_days",
            PeriodMetric::PaydownDays => "paydown_days",
            PeriodMetric::IdleDays => "idle_days",
            PeriodMetric::BlendedScore => "blended_score",
        }
    }
}

/// Whole-trial outcomes of one strategy, in `summary.csv` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SummaryMetric {
    /// blend · product score + (1 − blend) · technology score, in [0, 1] (a side without
    /// key results leaves the score to the other).
    BlendedScore,
    /// Σ wₖaₖ / Σ wₖ over product key results, attainment judged at each deadline; NaN when
    /// there are none (or their weights sum to 0).
    ProductScore,
    /// The same over technology key results; NaN when there are none (or weights sum to 0).
    TechnologyScore,
    /// Debt of all teams at the end of the last period simulated, engineer-days.
    FinalDebt,
    /// Days of unplanned incident work, over the trial.
    IncidentDays,
    /// Days of unplanned work from risks that struck, over the trial.
    RiskDays,
    /// Days spent on product initiatives, over the trial.
    ProductDays,
    /// Days spent on tech initiatives, over the trial.
    TechDays,
    /// Days spent paying down debt, over the trial.
    PaydownDays,
    /// Days nobody had work for, over the trial.
    IdleDays,
    /// Number of initiatives finished within the periods simulated.
    InitiativesDone,
    /// 1 when every product key result is met at its deadline, else 0; NaN when there are none.
    AllProductKrsMet,
    /// 1 when every technology key result is met at its deadline, else 0; NaN when there are
    /// none.
    AllTechnologyKrsMet,
}

impl SummaryMetric {
    /// Every metric, in output order.
    pub const ALL: [SummaryMetric; 13] = [
        SummaryMetric::BlendedScore,
        SummaryMetric::ProductScore,
        SummaryMetric::TechnologyScore,
        SummaryMetric::FinalDebt,
        SummaryMetric::IncidentDays,
        SummaryMetric::RiskDays,
        SummaryMetric::ProductDays,
        SummaryMetric::TechDays,
        SummaryMetric::PaydownDays,
        SummaryMetric::IdleDays,
        SummaryMetric::InitiativesDone,
        SummaryMetric::AllProductKrsMet,
        SummaryMetric::AllTechnologyKrsMet,
    ];

    /// Name in `summary.csv`.
    pub fn name(self) -> &'static str {
        match self {
            SummaryMetric::BlendedScore => "blended_score",
            SummaryMetric::ProductScore => "product_score",
            SummaryMetric::TechnologyScore => "technology_score",
            SummaryMetric::FinalDebt => "final_debt",
            SummaryMetric::IncidentDays => "incident_days",
            SummaryMetric::RiskDays => "risk_days",
            SummaryMetric::ProductDays => "product_days",
            SummaryMetric::TechDays => "tech_days",
            SummaryMetric::PaydownDays => "paydown_days",
            SummaryMetric::IdleDays => "idle_days",
            SummaryMetric::InitiativesDone => "initiatives_done",
            SummaryMetric::AllProductKrsMet => "all_product_krs_met",
            SummaryMetric::AllTechnologyKrsMet => "all_technology_krs_met",
        }
    }
}

/// Days spent over a trial so far, summed over teams and periods.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Totals {
    /// Days of unplanned incident work.
    pub incident_days: f64,
    /// Days of unplanned work from risks that struck.
    pub risk_days: f64,
    /// Days spent on product initiatives.
    pub product_days: f64,
    /// Days spent on tech initiatives.
    pub tech_days: f64,
    /// Days spent paying down debt.
    pub paydown_days: f64,
    /// Days nobody had work for.
    pub idle_days: f64,
}

impl Totals {
    /// Adds one period's organisation totals (a period row of [`PeriodMetric`] values).
    pub fn add_period(&mut self, row: &[f64; PeriodMetric::ALL.len()]) {
        self.incident_days += row[PeriodMetric::IncidentDays as usize];
        self.risk_days += row[PeriodMetric::RiskDays as usize];
        self.product_days += row[PeriodMetric::ProductDays as usize];
        self.tech_days += row[PeriodMetric::TechDays as usize];
        self.paydown_days += row[PeriodMetric::PaydownDays as usize];
        self.idle_days += row[PeriodMetric::IdleDays as usize];
    }
}
